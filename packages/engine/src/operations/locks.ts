import { hostname } from 'node:os';
import type { LockInfo } from '../job/job.js';
import type { S3Store } from '../store/s3-store.js';

/** Reads the lock tofu's S3 lockfile left beside a state, if any. */
export async function readLock(store: S3Store, stateKey: string): Promise<LockInfo | undefined> {
  const raw = await store.getJson<{ ID?: string; Operation?: string; Who?: string; Created?: string }>(
    `${stateKey}.tflock`,
  );
  if (!raw?.ID) return undefined;
  return { id: raw.ID, operation: raw.Operation, who: raw.Who, created: raw.Created };
}

/** A lock this machine's tofu took (tofu writes `user@host` in `Who`). */
export function isOwnLock(lock: LockInfo): boolean {
  return lock.who?.split('@').pop() === hostname();
}
