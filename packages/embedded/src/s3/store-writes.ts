import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import S3Object from 's3rver/lib/models/object.js';
import type { FilesystemStore, StoredObject } from './s3rver-internals.js';

type Content = StoredObject['content'];

/**
 * Replaces s3rver's `FilesystemStore.putObject`, which writes in place: an interrupted upload left a
 * truncated object, a client that disconnected or a body that failed its checksum hung the request
 * forever (it pipes without forwarding errors), and it answered before the bytes reached the file.
 * This one streams into `tmpDirectory`, fsyncs, then renames over the object, so a key always holds a
 * whole object (old or new) and a crash loses no state. `tmpDirectory` must be on the same filesystem
 * as the store and outside its buckets.
 */
export function createAtomicPutObject(
  store: FilesystemStore,
  tmpDirectory: string,
): FilesystemStore['putObject'] {
  return async function putObject(object) {
    const tmpPath = join(tmpDirectory, randomUUID());
    try {
      // The folder is made at start: made again only if something removed it.
      const { size, md5 } = await writeContent(object.content, tmpPath, { sync: true }).catch(
        async (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
          await mkdir(tmpDirectory, { recursive: true });
          return writeContent(object.content, tmpPath, { sync: true });
        },
      );
      const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
      // The object and its metadata side by side: reads of the key wait for both (one mutex per key). Their
      // folder nearly always exists, and is made only when both say it is missing: a delete removes the
      // folders it empties, so it may also have gone just now.
      const place = () =>
        Promise.all([
          rename(tmpPath, objectPath),
          store.putMetadata(object.bucket, object.key, object.metadata, md5),
        ]);
      // A delete in the same folder may remove it again between the mkdir and the rename: made again then.
      for (let attempt = 1; ; attempt++) {
        try {
          await place();
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw error;
          await mkdir(dirname(objectPath), { recursive: true });
        }
      }
      return { size, md5 };
    } catch (error) {
      await rm(tmpPath, { force: true });
      throw error;
    }
  };
}

/**
 * Replaces s3rver's `deleteObject`, which removes the folders a delete empties by reading each one
 * (synchronously, on the event loop) before removing it: two deletes in one folder at once, as a
 * DeleteObjects of several keys runs them, both found it empty and the second failed its `rmdir` with ENOENT.
 * The request answered 500 and the SDK retried it after a back-off (an apply's clean-up took 30–50 ms). Here
 * each folder is removed with `rmdir` alone, which refuses a folder that is not empty: a folder another
 * delete removed, or one a write filled meanwhile, ends the clean-up.
 */
export function createDeleteObject(store: FilesystemStore): FilesystemStore['deleteObject'] {
  return async function deleteObject(bucket, key) {
    await Promise.all(
      ['object', 'object.md5', 'metadata.json'].map((resource) =>
        unlink(store.getResourcePath(bucket, key, resource)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        }),
      ),
    );
    const inBucket = `${store.getBucketPath(bucket)}${sep}`;
    for (let folder = dirname(store.getResourcePath(bucket, key, 'object')); folder.startsWith(inBucket); ) {
      try {
        await rmdir(folder);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST') return;
        throw error;
      }
      folder = dirname(folder);
    }
  };
}

/**
 * Replaces s3rver's `putMetadata`, which writes the MD5 file (the ETag), then the metadata file: here side by
 * side, one round trip to the disk instead of two on every PUT. Reads of the key wait for both (one mutex per
 * key); the same fields are kept.
 */
export function createPutMetadata(store: FilesystemStore): FilesystemStore['putMetadata'] {
  return async function putMetadata(bucket, key, metadata, md5) {
    const kept = Object.entries(metadata).filter(
      ([name]) => S3Object.ALLOWED_METADATA.includes(name) || name.startsWith('x-amz-meta-'),
    );
    await Promise.all([
      md5 === undefined ? undefined : writeFile(store.getResourcePath(bucket, key, 'object.md5'), md5),
      writeFile(
        store.getResourcePath(bucket, key, 'metadata.json'),
        JSON.stringify(Object.fromEntries(kept), null, 2),
      ),
    ]);
  };
}

/** Replaces s3rver's `putPart`, for the same reason: errors in the body must fail the request, not hang it. */
export function createPutPart(store: FilesystemStore) {
  return async function putPart(
    bucket: string,
    uploadId: string,
    partNumber: number | string,
    content: Content,
  ) {
    const partPath = join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
    await mkdir(dirname(partPath), { recursive: true });
    try {
      const { size, md5 } = await writeContent(content, partPath);
      await writeFile(`${partPath}.md5`, md5);
      return { size, md5 };
    } catch (error) {
      await rm(partPath, { force: true });
      throw error;
    }
  };
}

/**
 * Writes the content to `path` through one file handle (fsynced before it closes with `sync`), with its
 * size and MD5. A body that fails mid-way fails the write.
 */
async function writeContent(
  content: Content,
  path: string,
  options: { sync?: boolean } = {},
): Promise<{ size: number; md5: string }> {
  const md5 = createHash('md5');
  let size = 0;
  const file = await open(path, 'w');
  try {
    for await (const chunk of Buffer.isBuffer(content) ? [content] : (content ?? [])) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      md5.update(bytes);
      size += bytes.length;
      await file.write(bytes);
    }
    if (options.sync) await file.sync();
  } finally {
    await file.close();
  }
  return { size, md5: md5.digest('hex') };
}
