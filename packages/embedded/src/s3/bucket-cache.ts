import type { FilesystemStore } from './s3rver-internals.js';

/**
 * Keeps what s3rver reads of a bucket on every request in memory: whether it exists (a `stat` of its folder)
 * and its configurations (CORS, website: a failed file read each, as almost no bucket has them). They live in
 * the server's own folder and change only through its API, whose writes and deletes drop the entries
 * (creating or deleting the bucket, setting or deleting a configuration). An object's own subresources (its
 * tagging) are read as before.
 */
export function cacheBuckets(store: FilesystemStore): void {
  // `<bucket>/` for whether it exists, `<bucket>/<type>` for a configuration.
  const cache = new Map<string, Promise<unknown>>();
  function kept<T>(entry: string, read: () => Promise<T>): Promise<T> {
    let found = cache.get(entry) as Promise<T> | undefined;
    if (!found) {
      found = read();
      cache.set(entry, found);
      // A failed read is not kept.
      found.catch(() => cache.delete(entry));
    }
    return found;
  }
  /** Runs a change, then drops what it may have changed (whether it succeeded or not). */
  async function changing<T>(task: () => Promise<T>, drop: () => void): Promise<T> {
    try {
      return await task();
    } finally {
      drop();
    }
  }
  const dropBucket = (bucket: string) => {
    for (const entry of cache.keys()) if (entry.startsWith(`${bucket}/`)) cache.delete(entry);
  };
  // s3rver's own, which the cached ones call.
  const original = {
    getBucket: store.getBucket.bind(store),
    putBucket: store.putBucket.bind(store),
    deleteBucket: store.deleteBucket.bind(store),
    getSubresource: store.getSubresource.bind(store),
    putSubresource: store.putSubresource.bind(store),
    deleteSubresource: store.deleteSubresource.bind(store),
  };

  store.getBucket = (bucket) => kept(`${bucket}/`, () => original.getBucket(bucket));
  store.putBucket = (bucket) => {
    // s3rver's own reads the bucket back: not from the entry of before it existed.
    dropBucket(bucket);
    return changing(
      () => original.putBucket(bucket),
      () => dropBucket(bucket),
    );
  };
  store.deleteBucket = (bucket) =>
    changing(
      () => original.deleteBucket(bucket),
      () => dropBucket(bucket),
    );
  store.getSubresource = (bucket, key, type) =>
    key === undefined
      ? kept(`${bucket}/${type}`, () => original.getSubresource(bucket, key, type))
      : original.getSubresource(bucket, key, type);
  store.putSubresource = (bucket, key, resource) =>
    changing(
      () => original.putSubresource(bucket, key, resource),
      () => key === undefined && cache.delete(`${bucket}/${resource.type}`),
    );
  store.deleteSubresource = (bucket, key, type) =>
    changing(
      () => original.deleteSubresource(bucket, key, type),
      () => key === undefined && cache.delete(`${bucket}/${type}`),
    );
}
