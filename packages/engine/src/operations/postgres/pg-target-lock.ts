import type { Pool, PoolClient } from 'pg';
import type { Release, TargetLock } from '../ports.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One run at a time per target across processes: a session advisory lock on the target's key, held on a
 * connection of its own for as long as the run. Jobs reach it in order already (graphile-worker runs one job
 * per target queue at a time); the lock also covers what runs beside jobs: a service's network check and a
 * force-unlock. Waiting retries every 100 ms, so a cancel stops the wait at once.
 */
export function createPostgresTargetLock(pool: Pool): TargetLock & { heldHere(): number } {
  const held = new Map<string, PoolClient>();
  const waiting = new Map<string, number>();

  const take = async (client: PoolClient, key: string) =>
    (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [key]))
      .rows[0]!.ok;

  const releaser = (key: string, client: PoolClient): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      held.delete(key);
      void client
        .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
        .catch(() => undefined)
        .finally(() => client.release());
    };
  };

  return {
    async acquire(key, signal) {
      if (signal?.aborted) throw signal.reason ?? new Error('Cancelled.');
      const client = await pool.connect();
      waiting.set(key, (waiting.get(key) ?? 0) + 1);
      try {
        while (!(await take(client, key))) {
          if (signal?.aborted) throw signal.reason ?? new Error('Cancelled.');
          await sleep(100);
          if (signal?.aborted) throw signal.reason ?? new Error('Cancelled.');
        }
      } catch (error) {
        client.release();
        throw error;
      } finally {
        const left = (waiting.get(key) ?? 1) - 1;
        if (left > 0) waiting.set(key, left);
        else waiting.delete(key);
      }
      held.set(key, client);
      return releaser(key, client);
    },
    tryAcquirePreemptible() {
      // Drift checks run in the one-process mode only for now: none here.
      return undefined;
    },
    isBusy(key) {
      return held.has(key) || waiting.has(key);
    },
    queueLength(key) {
      return waiting.get(key) ?? 0;
    },
    heldHere: () => held.size,
  };
}
