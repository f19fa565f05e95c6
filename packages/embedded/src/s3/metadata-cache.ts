import { type Stats, stat } from 'node:fs';
import { promisify } from 'node:util';
import type { FilesystemStore } from './s3rver-internals.js';

const statOf = promisify(stat);

interface Cached {
  stamp: string;
  metadata: Record<string, string>;
}

/** Which version of a file this is: a new object is a new file (renamed over the old), so a new stamp. */
const stampOf = (s: Stats) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;

/**
 * Keeps what s3rver's `getMetadata` reads for an object: its metadata and MD5 files, two reads on every GET,
 * HEAD and listed key besides the `stat` it makes anyway. An entry holds while the object's file is the one it
 * was read from (same inode, size and times), so a file changed behind the server's back is read again; the
 * server's own writes and deletes drop the entry. A read is kept only if no write ran anywhere while it read
 * (a listing is not serialized with the writes of the keys it lists). At most `limit` entries, the least
 * recently read going first.
 */
export function cacheMetadata(store: FilesystemStore, limit = 10_000): void {
  const cache = new Map<string, Cached>();
  const read = store.getMetadata.bind(store);
  const putMetadata = store.putMetadata.bind(store);
  const deleteObject = store.deleteObject.bind(store);
  const pathOf = (bucket: string, key: string) => store.getResourcePath(bucket, key, 'object');
  // Moves at the start and at the end of every write; with the writes in flight, tells a read that raced one.
  let clock = 0;
  let writing = 0;
  async function write(file: string, task: () => Promise<void>) {
    writing++;
    clock++;
    cache.delete(file);
    try {
      await task();
    } finally {
      cache.delete(file);
      writing--;
      clock++;
    }
  }

  store.getMetadata = async (bucket, key) => {
    const file = pathOf(bucket, key);
    // Throws ENOENT for a missing object, as s3rver's own does.
    const stamp = stampOf(await statOf(file));
    const hit = cache.get(file);
    if (hit?.stamp === stamp) {
      cache.delete(file);
      cache.set(file, hit);
      return { ...hit.metadata };
    }
    const before = writing === 0 ? clock : undefined;
    const metadata = await read(bucket, key);
    if (before === clock) {
      cache.set(file, { stamp, metadata: { ...metadata } });
      if (cache.size > limit) cache.delete(cache.keys().next().value!);
    }
    return metadata;
  };
  store.putMetadata = (bucket, key, metadata, md5) =>
    write(pathOf(bucket, key), () => putMetadata(bucket, key, metadata, md5));
  store.deleteObject = (bucket, key) => write(pathOf(bucket, key), () => deleteObject(bucket, key));
}
