import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ConflictError } from '../errors.js';
import { isPreconditionFailed, type S3Store, type StoredObject } from '../store/s3-store.js';

/** The object that says which SpawnIt process runs on a bucket without a database. */
export const INSTANCE_LEASE_KEY = '.spawnit/instance.json';

/** Who holds a bucket, as its lease says. */
export interface LeaseHolder {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  renewedAt: string;
}

export interface InstanceLeaseOptions {
  store: S3Store;
  /**
   * Whether the store honours `If-None-Match` and `If-Match` on writes (`engine.useLockfile`): taking and renewing
   * the lease are then atomic. Without them, a write is read back and the last writer wins.
   */
  conditionalWrites: boolean;
  /** A lease whose object has not changed for this long is free to take. @default 30_000 */
  ttlMs?: number;
  /** @default a third of `ttlMs` */
  renewMs?: number;
  /** How often a waiting start looks at the lease again. @default 1_000 */
  pollMs?: number;
  /**
   * Once, when another process took the lease after this one could not renew it in time (a frozen process, S3
   * away): the caller must stop running jobs at once.
   */
  onLost: (holder: LeaseHolder | undefined) => void;
  /** Once, when the start waits to see whether the lease it found is still renewed. */
  onWait?: (holder: LeaseHolder, waitMs: number) => void;
  /** A renewal that failed for a reason that may pass (S3 away); the next one tries again. */
  onError?: (error: unknown) => void;
}

export interface InstanceLease {
  readonly holder: LeaseHolder;
  /**
   * Resolves while the lease is this process's: at once when it was renewed lately, else (a process frozen
   * past its renewals, an event loop stalled, S3 away) once a renewal now confirms it. Rejects when another
   * process took it, or it cannot be confirmed: whatever was about to run must not.
   */
  held(): Promise<void>;
  /** Stops renewing and deletes the lease, when it is still this process's. */
  release(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(object: StoredObject): LeaseHolder | undefined {
  try {
    const value = JSON.parse(object.body.toString('utf8')) as Partial<LeaseHolder>;
    if (typeof value.id !== 'string' || typeof value.host !== 'string' || typeof value.pid !== 'number') {
      return undefined;
    }
    return value as LeaseHolder;
  } catch {
    return undefined;
  }
}

const describeHolder = (holder: LeaseHolder) =>
  `pid ${holder.pid} on host "${holder.host}", started at ${holder.startedAt}`;

/**
 * Takes the bucket for this process: SpawnIt without a database trusts its own writes (its listing index, its
 * cached configurations, its recovery of unfinished jobs), so a second process on the same bucket would plan from
 * stale configurations and mark the first one's running jobs interrupted. The lease is an object in the bucket,
 * renewed every `renewMs`.
 *
 * A lease found is free when its holder ran on this host and its process is gone (a crash, a kill -9), or once
 * its object has not changed for `ttlMs` (a holder on another host that stopped without releasing it). One that
 * changes while the start watches is held by a live process: the start is refused, naming it. Clocks are never
 * compared: only what this process sees change.
 */
export async function acquireInstanceLease(options: InstanceLeaseOptions): Promise<InstanceLease> {
  const { store, conditionalWrites } = options;
  const ttlMs = options.ttlMs ?? 30_000;
  const renewMs = options.renewMs ?? Math.floor(ttlMs / 3);
  const pollMs = options.pollMs ?? 1_000;
  const startedAt = new Date().toISOString();
  const mine = (): LeaseHolder => ({
    id: randomUUID(),
    host: hostname(),
    pid: process.pid,
    startedAt,
    renewedAt: new Date().toISOString(),
  });
  const me = mine();
  const write = (condition: { ifNoneMatch?: boolean; ifMatch?: string }) =>
    store.putJson(
      INSTANCE_LEASE_KEY,
      { ...me, renewedAt: new Date().toISOString() },
      conditionalWrites ? condition : {},
    );

  /** Writes the lease over `current` (or where there is none); false when another start won the race. */
  async function take(current: StoredObject | undefined): Promise<string | undefined | false> {
    let etag: string | undefined;
    try {
      etag = await write(current ? { ifMatch: current.etag } : { ifNoneMatch: true });
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
    if (conditionalWrites) return etag;
    // Last writer wins: read back after a moment, so two starts at once do not both go on.
    await sleep(Math.min(pollMs, 500));
    const back = await store.get(INSTANCE_LEASE_KEY);
    return back && parseHolder(back)?.id === me.id ? back.etag : false;
  }

  let etag: string | undefined;
  /** The version of the lease this start watches, and since when it has not changed. */
  let watched: { version: string; since: number } | undefined;
  let told = false;
  for (;;) {
    const current = await store.get(INSTANCE_LEASE_KEY);
    const holder = current && parseHolder(current);
    const version = current && (current.etag ?? holder?.renewedAt ?? current.body.toString('utf8'));
    const unchangedFor = watched && watched.version === version ? Date.now() - watched.since : 0;
    // On this host, a holder whose process is gone left it (a crash, a kill -9); one with this very pid is an
    // earlier run of this one (a container restarted: same hostname, pid 1 again).
    const gone =
      holder !== undefined && holder.host === me.host && (holder.pid === process.pid || !isAlive(holder.pid));
    if (!holder || gone || unchangedFor >= ttlMs) {
      const taken = await take(current);
      if (taken !== false) {
        etag = taken;
        break;
      }
      watched = undefined;
      continue;
    }
    if (watched && watched.version !== version) {
      throw new ConflictError(
        `Another SpawnIt runs on bucket "${store.bucket}" at ${store.endpoint} without a database (${describeHolder(holder)}): two would plan from each other's stale configurations and interrupt each other's jobs. Stop it first, or give every process the same SPAWNIT_DATABASE_URL to run several.`,
      );
    }
    if (!watched) watched = { version: version!, since: Date.now() };
    if (!told) {
      told = true;
      options.onWait?.(holder, ttlMs);
    }
    await sleep(pollMs);
  }

  let released = false;
  let lost: { holder: LeaseHolder | undefined } | undefined;
  let renewing: Promise<void> = Promise.resolve();
  /**
   * When the lease was last written or confirmed, by both clocks: the monotonic one may not count a VM's
   * pause or a suspend, the wall clock may be set back; the longer of the two is the age.
   */
  let renewedAt = { monotonic: performance.now(), wall: Date.now() };
  const sinceRenewed = () => Math.max(performance.now() - renewedAt.monotonic, Date.now() - renewedAt.wall);
  const lose = (holder: LeaseHolder | undefined) => {
    if (lost || released) return;
    lost = { holder };
    clearInterval(timer);
    options.onLost(holder);
  };
  async function renew(): Promise<void> {
    if (released || lost) return;
    try {
      if (!conditionalWrites) {
        const current = await store.get(INSTANCE_LEASE_KEY);
        const holder = current && parseHolder(current);
        if (holder?.id !== me.id) return lose(holder);
      }
      etag = await write({ ifMatch: etag });
      renewedAt = { monotonic: performance.now(), wall: Date.now() };
    } catch (error) {
      // Refused, or failed: whose is it now? S3 still away, the next renewal tries again.
      let current: StoredObject | undefined;
      try {
        current = await store.get(INSTANCE_LEASE_KEY);
      } catch {
        options.onError?.(error);
        return;
      }
      const holder = current && parseHolder(current);
      if (holder?.id !== me.id) return lose(holder);
      // Still this process's, but not written now: a successor's wait goes on from the last change.
      etag = current?.etag;
      options.onError?.(error);
    }
  }
  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, renewMs);
  timer.unref?.();

  const lostError = () =>
    new ConflictError(
      `Another SpawnIt${lost?.holder ? ` (${describeHolder(lost.holder)})` : ''} took bucket "${store.bucket}" after this process could not renew its lease in time: this process stops, and runs nothing more.`,
    );
  return {
    holder: me,
    async held() {
      if (lost) throw lostError();
      // A successor takes the lease once it has not changed for `ttlMs` (by its own clock): with one renewal
      // missed at most, that is still far off.
      if (sinceRenewed() < ttlMs - renewMs) return;
      renewing = renewing.then(renew);
      await renewing;
      if (lost) throw lostError();
      if (sinceRenewed() >= ttlMs - renewMs) {
        throw new ConflictError(
          `SpawnIt could not confirm that it still holds bucket "${store.bucket}" at ${store.endpoint} (its lease could not be renewed: is S3 reachable?), so it runs nothing until it can.`,
        );
      }
    },
    async release() {
      if (released) return;
      clearInterval(timer);
      await renewing;
      released = true;
      if (lost) return;
      const current = await store.get(INSTANCE_LEASE_KEY).catch(() => undefined);
      if (current && parseHolder(current)?.id === me.id) await store.deleteKeys([INSTANCE_LEASE_KEY]);
    },
  };
}
