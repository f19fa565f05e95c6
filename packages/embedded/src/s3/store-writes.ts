import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
    await mkdir(tmpDirectory, { recursive: true });
    const tmpPath = join(tmpDirectory, randomUUID());
    try {
      const { size, md5 } = await writeContent(object.content, tmpPath);
      const file = await open(tmpPath, 'r+');
      try {
        await file.sync();
      } finally {
        await file.close();
      }
      const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
      await mkdir(dirname(objectPath), { recursive: true });
      await rename(tmpPath, objectPath).catch(async (error: NodeJS.ErrnoException) => {
        // s3rver's DeleteObject removes emptied directories; it may have removed this one just now.
        if (error.code !== 'ENOENT') throw error;
        await mkdir(dirname(objectPath), { recursive: true });
        await rename(tmpPath, objectPath);
      });
      await store.putMetadata(object.bucket, object.key, object.metadata, md5);
      return { size, md5 };
    } catch (error) {
      await rm(tmpPath, { force: true });
      throw error;
    }
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

async function writeContent(content: Content, path: string): Promise<{ size: number; md5: string }> {
  const md5 = createHash('md5');
  let size = 0;
  const source = content ?? Buffer.alloc(0);
  await pipeline(
    Buffer.isBuffer(source) ? Readable.from([source]) : source,
    async function* measure(chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        md5.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(path),
  );
  return { size, md5: md5.digest('hex') };
}
