import type { FilesystemStore } from './s3rver-internals.js';

/**
 * Keeps a bucket's configurations (CORS, website...) in memory. s3rver reads two of them from disk on every
 * request, whatever it is: a failed file read each, for configurations almost no bucket has. They live in the
 * server's own folder and change only through its API, whose writes and deletes drop the entry (as does
 * deleting the bucket). An object's own subresources (its tagging) are read as before.
 */
export function cacheBucketConfigs(store: FilesystemStore): void {
  const cache = new Map<string, Promise<unknown>>();
  const get = store.getSubresource.bind(store);
  const put = store.putSubresource.bind(store);
  const remove = store.deleteSubresource.bind(store);
  const deleteBucket = store.deleteBucket.bind(store);
  const dropBucket = (bucket: string) => {
    for (const entry of cache.keys()) if (entry.startsWith(`${bucket}/`)) cache.delete(entry);
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
