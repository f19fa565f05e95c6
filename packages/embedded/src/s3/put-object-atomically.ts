import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FilesystemStore, StoredObject } from './s3rver-internals.js';

/**
 * A replacement for s3rver's `FilesystemStore.putObject`, which writes in place: an interrupted upload
 * leaves a truncated object, a client that disconnects mid-body hangs the request forever, and it
 * answers before the bytes reach the file. This one streams into `tmpDirectory`, fsyncs, then renames
 * over the object, so a key always holds a whole object (old or new) and a crash loses no state.
 * `tmpDirectory` must be on the same filesystem as the store and outside its buckets.
 */
export function createAtomicPutObject(
  store: FilesystemStore,
  tmpDirectory: string,
): FilesystemStore['putObject'] {
  return async function putObject(object: StoredObject) {
    await mkdir(tmpDirectory, { recursive: true });
    const tmpPath = join(tmpDirectory, randomUUID());
    const md5 = createHash('md5');
    let size = 0;
    const content = object.content ?? Buffer.alloc(0);
    try {
      await pipeline(
        Buffer.isBuffer(content) ? Readable.from([content]) : content,
        async function* measure(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            md5.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(tmpPath),
      );
      const file = await open(tmpPath, 'r+');
      try {
        await file.sync();
      } finally {
        await file.close();
      }
      const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
      await mkdir(dirname(objectPath), { recursive: true });
      await rename(tmpPath, objectPath);
    } catch (error) {
      await rm(tmpPath, { force: true });
      throw error;
    }
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}
