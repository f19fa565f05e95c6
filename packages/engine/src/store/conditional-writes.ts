import { randomUUID } from 'node:crypto';
import { isPreconditionFailed, type S3Store } from './s3-store.js';

/**
 * Does the store refuse a `PUT` with `If-None-Match: *` on a key that exists? Tofu's S3 lockfile is only a
 * lock where it does (AWS S3 and recent MinIO do; plain s3rver does not).
 */
export async function probeConditionalWrites(store: S3Store): Promise<boolean> {
  const key = `.spawnit/probe/${randomUUID()}`;
  try {
    // A fresh key refused: the client's retry of a write that had landed (its answer lost), which only a store
    // that honours the condition refuses.
    await store.put(key, 'first', { ifNoneMatch: true });
    await store.put(key, 'second', { ifNoneMatch: true });
    return false;
  } catch (error) {
    if (isPreconditionFailed(error)) return true;
    throw error;
  } finally {
    await store.deleteKeys([key]);
  }
}
