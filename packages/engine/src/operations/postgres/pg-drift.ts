import type { Pool } from 'pg';
import type { Engine } from '../../engine.js';
import { type TargetRef, targetKeyOf } from '../../store/keys.js';
import { checkDrift } from '../drift-check.js';
import { type DriftLag, deployedServices } from '../drift-loop.js';
import type { DriftTriggerStats } from '../drift-trigger.js';
import type { EventBus, KeptStates } from '../ports.js';
import type { ServiceStatuses } from '../service-status.js';
import { DRIFT_TASK, driftJobKey } from './pg-queue.js';

export interface DriftPayload {
  clientId: string;
  serviceId: string;
  /** When Docker saw the event that asked for this check (ms since the epoch); none for the sweep's. */
  eventAt?: number;
}

/** What a worker's drift checks came to. */
export interface DriftCheckStats extends DriftTriggerStats {
  /** Checks that ran to a status. */
  planned: number;
  /** Checks stopped because a user's job asked for the service. */
  preempted: number;
  /** From the Docker event to the status it led to, for the last event-driven check this worker ran (ms). */
  lastEventCheckMs: number | undefined;
}

/**
 * Per service: when its last drift check started (the database's clock, so every process reads the same lag)
 * and the latest Docker event a check was asked for (Docker's clock, compared only with itself).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS spawnit_drift_checks (
  target_key text PRIMARY KEY, checked_at timestamptz NOT NULL DEFAULT now(), event_ns bigint);
`;

/** Makes the drift tables: any process may, at start. */
export async function prepareDriftTables(pool: Pool): Promise<void> {
  await pool.query(SCHEMA);
}

type ServiceTarget = Extract<TargetRef, { kind: 'service' }>;

/** Notes that a service's status is being found now (a drift check, or a user's job of it): `driftLag` reads it. */
export async function recordCheckStart(pool: Pool, targetKey: string): Promise<void> {
  await pool.query(
    `INSERT INTO spawnit_drift_checks (target_key) VALUES ($1)
     ON CONFLICT (target_key) DO UPDATE SET checked_at = now()`,
    [targetKey],
  );
}

/**
 * Queues a check of a service to run now for a Docker event, once for all the workers that saw it: the
 * first to record the event's time (the same for all, from Docker) queues the check; the others find it
 * recorded and queue nothing. The check replaces one waiting for the service (so the sweep's, due later,
 * runs now), and comes after one already running (graphile-worker frees a running job's key and adds a new
 * job): a check that started before the event may have read too early. Says whether this call queued it.
 */
export async function queueEventCheck(
  pool: Pool,
  ref: ServiceTarget,
  event: { eventAt: number; eventNs: bigint },
): Promise<boolean> {
  const key = targetKeyOf(ref);
  const payload: DriftPayload = { clientId: ref.clientId, serviceId: ref.serviceId, eventAt: event.eventAt };
  // One statement: the event recorded and the check queued together, or neither.
  const { rowCount } = await pool.query(
    `WITH claim AS (
       INSERT INTO spawnit_drift_checks AS d (target_key, event_ns) VALUES ($1, $2)
       ON CONFLICT (target_key) DO UPDATE SET event_ns = excluded.event_ns
         WHERE d.event_ns IS NULL OR d.event_ns < excluded.event_ns
       RETURNING 1)
     SELECT graphile_worker.add_job($3, $4::json, queue_name => $1, job_key => $5,
       job_key_mode => 'replace', max_attempts => 1) FROM claim`,
    [key, event.eventNs.toString(), DRIFT_TASK, JSON.stringify(payload), driftJobKey(key)],
  );
  return (rowCount ?? 0) > 0;
}

/** Whether a user's job of the service waits or runs, on any worker (the index of jobs says). */
export async function isHeldByJob(pool: Pool, ref: ServiceTarget): Promise<boolean> {
  const { rowCount } = await pool.query(
    `SELECT 1 FROM spawnit_jobs WHERE client_id = $1 AND target_key = $2
       AND record->>'state' IN ('queued', 'running') LIMIT 1`,
    [ref.clientId, targetKeyOf(ref)],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * `system { driftLag }` in the scaled-out mode, read by any API process: the age of the oldest deployed
 * service's last check start, past the interval. A service no check has reached yet counts from when a
 * reading first saw it deployed, so stopped workers show as a growing lag, not as none.
 */
export function createPostgresDriftLag(options: {
  engine: Engine;
  pool: Pool;
  intervalMs: number;
}): DriftLag {
  const { engine, pool, intervalMs } = options;
  return {
    intervalMs,
    async lag() {
      const keys = (await deployedServices(engine)).map(targetKeyOf);
      if (keys.length === 0) return 0;
      const { rows } = await pool.query<{ age: number | null }>(
        `WITH seen AS (
           INSERT INTO spawnit_drift_checks (target_key) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING)
         SELECT (extract(epoch FROM now() - min(checked_at)) * 1000)::float8 AS age
           FROM spawnit_drift_checks WHERE target_key = ANY($1)`,
        [keys],
      );
      return Math.max(0, Math.round((rows[0]?.age ?? 0) - intervalMs));
    },
  };
}

/**
 * Drift checks as queued work every worker shares: each pass queues one check per deployed service, spread
 * over the interval, in the service's own queue (so never beside a run of it). A check already waiting for a
 * service is kept, not doubled. Every worker may schedule: the checks' keys make the passes agree.
 */
export function scheduleDriftChecks(options: {
  engine: Engine;
  addDriftCheck: (
    ref: { kind: 'service'; clientId: string; serviceId: string },
    runAt: Date,
  ) => Promise<void>;
  intervalMs: number;
  onError: (error: unknown) => void;
}): { stop(): void } {
  let stopped = false;
  const pass = async () => {
    const services = await deployedServices(options.engine);
    const now = Date.now();
    const step = services.length > 0 ? options.intervalMs / services.length : 0;
    for (const [i, ref] of services.entries()) {
      if (stopped) return;
      await options.addDriftCheck(ref, new Date(now + Math.floor(i * step)));
    }
  };
  const timer = setInterval(() => void pass().catch(options.onError), options.intervalMs);
  timer.unref();
  void pass().catch(options.onError);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/**
 * One drift check, run by whichever worker takes it: the kept state pushed back first (as a job does), then
 * a plan that saves nothing, then the status. A user's job queued for the service meanwhile stops the check
 * (it finds the status itself).
 */
export function createDriftTask(deps: {
  engine: Engine;
  bus: EventBus;
  statuses: ServiceStatuses;
  dataDir: string;
  keptStates?: KeptStates;
  stats: DriftCheckStats;
  pool: Pool;
}): (payload: unknown) => Promise<void> {
  const { engine, bus, statuses, pool } = deps;
  return async (payload) => {
    const { clientId, serviceId, eventAt } = payload as DriftPayload;
    const ref = { kind: 'service' as const, clientId, serviceId };
    const key = targetKeyOf(ref);
    // Its start is what `driftLag` reads: a check that outlasts the interval breaks the promise too.
    await recordCheckStart(pool, key);
    const controller = new AbortController();
    const unsubscribe = bus.subscribe('jobUpdated', (job) => {
      if (job.state === 'queued' && targetKeyOf(job.target) === key) controller.abort();
    });
    try {
      if (!(await engine.index.deployed([ref]))[0]) return;
      const outcome = await checkDrift(
        { engine, dataDir: deps.dataDir, recordStatus: statuses.record, keptStates: deps.keptStates },
        ref,
        controller.signal,
        () => {
          // Before the status is recorded, so whoever sees the status also sees this figure.
          if (eventAt !== undefined) deps.stats.lastEventCheckMs = Date.now() - eventAt;
        },
      );
      if (outcome === 'preempted') deps.stats.preempted += 1;
      if (outcome === 'planned') deps.stats.planned += 1;
    } finally {
      unsubscribe();
    }
  };
}
