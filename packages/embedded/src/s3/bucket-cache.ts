import type { FilesystemStore } from './s3rver-internals.js';

/**
 * Keeps what s3rver reads of a bucket on every request in memory: whether it exists (a `stat` of its folder)
 * and its configurations (CORS, website: a failed file read each, as almost no bucket has them). They live in
 * the server's own folder and change only through its API, whose writes and deletes drop the entries
 * (creating or deleting the bucket, setting or deleting a configuration). An object's own subresources (its
 * tagging) are read as before.
 */
export function cacheBuckets(store: FilesystemStore): void {
  const cache = new Map<string, Promise<unknown>>();
  const get = store.getSubresource.bind(store);
  const put = store.putSubresource.bind(store);
  const remove = store.deleteSubresource.bind(store);
  const getBucket = store.getBucket.bind(store);
  const putBucket = store.putBucket.bind(store);
  const deleteBucket = store.deleteBucket.bind(store);
  const buckets = new Map<string, ReturnType<FilesystemStore['getBucket']>>();
  const dropBucket = (bucket: string) => {
    buckets.delete(bucket);
    for (const entry of cache.keys()) if (entry.startsWith(`${bucket}/`)) cache.delete(entry);
  };
  store.getBucket = (bucket) => {
    let found = buckets.get(bucket);
    if (!found) {
      found = getBucket(bucket);
      buckets.set(bucket, found);
      found.catch(() => buckets.delete(bucket));
    }
    return found;
  };
  store.putBucket = async (bucket) => {
    // s3rver's own reads the bucket back: not from the entry of before it existed.
    dropBucket(bucket);
    try {
      return await putBucket(bucket);
    } finally {
      dropBucket(bucket);
    }
  };
  store.getSubresource = (bucket, key, type) => {
    if (key !== undefined) return get(bucket, key, type);
    const entry = `${bucket}/${type}`;
    let found = cache.get(entry);
    if (!found) {
      found = get(bucket, key, type);
      cache.set(entry, found);
      // A failed read is not kept.
      found.catch(() => cache.delete(entry));
    }
    return found;
  };
  store.putSubresource = async (bucket, key, resource) => {
    try {
      await put(bucket, key, resource);
    } finally {
      if (key === undefined) cache.delete(`${bucket}/${resource.type}`);
    }
  };
  store.deleteSubresource = async (bucket, key, type) => {
    try {
      await remove(bucket, key, type);
    } finally {
      if (key === undefined) cache.delete(`${bucket}/${type}`);
    }
  };
  store.deleteBucket = async (bucket) => {
    try {
      await deleteBucket(bucket);
    } finally {
      dropBucket(bucket);
    }
  };
}
