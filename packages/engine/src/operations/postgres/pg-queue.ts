import type { Pool } from 'pg';
import type { JobRecord } from '../../job/job.js';
import { type TargetRef, targetKeyOf } from '../../store/keys.js';
import type { JobQueue } from '../ports.js';

export const RUN_TASK = 'spawnit_run';
export const DRIFT_TASK = 'spawnit_drift';
const SCHEMA = `
CREATE TABLE IF NOT EXISTS spawnit_cancels (
  job_id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
`;

/** The key of a service's drift check: at most one waits per service. */
export const driftJobKey = (targetKey: string) => `drift:${targetKey}`;

export interface RunPayload {
  clientId: string;
  jobId: string;
}

/**
 * The queue of runs in graphile-worker: one named queue per target, so its jobs run one at a time, in the
 * order asked, on whichever worker takes them (decision 0008).
 */
export async function createPostgresQueue(pool: Pool): Promise<
  JobQueue & {
    /** Whether a cancel came for this job before any worker held it. */
    cancelledBeforeStart(jobId: string): Promise<boolean>;
    /**
     * Queues a drift check of a service in its target's queue (after the runs asked before it), at most one
     * waiting per service: asking again while one waits keeps the first.
     */
    addDriftCheck(ref: Extract<TargetRef, { kind: 'service' }>, runAt: Date): Promise<void>;
    /** Frees what the queue's workers of a dead process held (their jobs, their targets' queues). */
    forceUnlockWorkers(queueWorkerIds: string[]): Promise<void>;
    close(): Promise<void>;
  }
> {
  const { makeWorkerUtils } = await import('graphile-worker');
  const utils = await makeWorkerUtils({ pgPool: pool });
  await utils.migrate();
  await pool.query(SCHEMA);
  return {
    async push(record: JobRecord, recorded?: Promise<void>) {
      // Another process runs it: not before it is recorded.
      await recorded;
      await utils.addJob(RUN_TASK, { clientId: record.clientId, jobId: record.id } satisfies RunPayload, {
        queueName: targetKeyOf(record.target),
        // A run is never repeated by the queue: a failed one is the user's to plan again.
        maxAttempts: 1,
        jobKey: record.id,
      });
    },
    async queued(targetKey) {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM spawnit_jobs j
          WHERE j.target_key = $1 AND j.record->>'state' = 'queued'
            AND NOT EXISTS (SELECT 1 FROM spawnit_cancels c WHERE c.job_id = j.job_id)`,
        [targetKey],
      );
      return Number(rows[0]?.n ?? 0);
    },
    async cancelQueued(record) {
      await pool.query('INSERT INTO spawnit_cancels (job_id) VALUES ($1) ON CONFLICT DO NOTHING', [
        record.id,
      ]);
    },
    async cancelledBeforeStart(jobId) {
      const { rowCount } = await pool.query('SELECT 1 FROM spawnit_cancels WHERE job_id = $1', [jobId]);
      return (rowCount ?? 0) > 0;
    },
    async addDriftCheck(ref, runAt) {
      const key = targetKeyOf(ref);
      await utils.addJob(
        DRIFT_TASK,
        { clientId: ref.clientId, serviceId: ref.serviceId },
        {
          queueName: key,
          jobKey: driftJobKey(key),
          jobKeyMode: 'preserve_run_at',
          runAt,
          maxAttempts: 1,
        },
      );
    },
    forceUnlockWorkers: (ids) => utils.forceUnlockWorkers(ids),
    close: async () => {
      await utils.release();
    },
  };
}
