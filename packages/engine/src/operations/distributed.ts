import { AsyncLocalStorage } from 'node:async_hooks';
import { hostname } from 'node:os';
import type { Task } from 'graphile-worker';
import type { Engine } from '../engine.js';
import { isTerminal, transition } from '../job/job.js';
import { describeTarget, targetKeyOf } from '../store/keys.js';
import type { DriftLag } from './drift-loop.js';
import { watchDriftEvents } from './drift-trigger.js';
import { createJobService } from './job-service.js';
import { readLock } from './locks.js';
import type { Operations } from './operations.js';
import {
  createDriftTask,
  createPostgresDriftLag,
  type DriftCheckStats,
  isHeldByJob,
  prepareDriftTables,
  queueEventCheck,
  recordCheckStart,
  scheduleDriftChecks,
} from './postgres/pg-drift.js';
import { createPostgresEventBus } from './postgres/pg-event-bus.js';
import { createPostgresJobStore } from './postgres/pg-job-store.js';
import { createPostgresKeptStates } from './postgres/pg-kept-states.js';
import { createPostgresQueue, DRIFT_TASK, RUN_TASK, type RunPayload } from './postgres/pg-queue.js';
import { createPostgresTargetLock } from './postgres/pg-target-lock.js';
import { isDatabaseAway, openPool } from './postgres/pool.js';
import { createServiceStatuses } from './service-status.js';
import { createWorker } from './worker/worker.js';

export interface DistributedOptions {
  /** An engine whose index is in the same database (`createEngine({ databaseUrl })`). */
  engine: Engine;
  /** SPAWNIT_DATABASE_URL */
  databaseUrl: string;
  /** Jobs waiting for one target at once; more are refused. @default 5 */
  maxQueuedPerTarget?: number;
}

/** Set while a worker's task runs: its index writes wait for an absent database (see `openShared`). */
const inRun = new AsyncLocalStorage<true>();

/** The parts every process of the scaled-out mode shares, on one database. */
async function openShared(
  options: DistributedOptions & { maxUnwrittenLines?: number },
  role: 'api' | 'worker',
) {
  const { engine, databaseUrl } = options;
  // The queue counts waiting jobs in the index's tables: made (and filled) here, not by a first listing.
  await engine.index.clients();
  const pool = await openPool(databaseUrl, 20);
  const bus = await createPostgresEventBus({ pool, connectionString: databaseUrl });
  // A run goes on through a database outage: what it writes to the index then waits with its events and
  // follows them, in order, once the database is back. Only a run's writes: an API in the same process (the
  // `all` role shares the engine) refuses what it cannot write, so the user sees the error.
  if (role === 'worker') {
    engine.index.writeThrough?.((key, write) => (inRun.getStore() ? bus.write(key, write) : write()));
  }
  const jobs = await createPostgresJobStore({
    pool,
    store: engine.store,
    index: engine.index,
    bus,
    // The log's lines too (only a worker opens logs).
    keepWhileAway: role === 'worker',
    maxUnwrittenLines: options.maxUnwrittenLines,
  });
  const lock = createPostgresTargetLock(pool);
  const queue = await createPostgresQueue(pool);
  await prepareDriftTables(pool);
  const statuses = createServiceStatuses({ index: engine.index, store: engine.store, bus });
  const close = async () => {
    await queue.close();
    await bus.close();
    await pool.end();
  };
  return { pool, bus, jobs, lock, queue, statuses, close };
}

/**
 * `spawnit api` with a database: the job service on PostgreSQL. It queues runs and publishes cancels; the
 * workers run them. Recovery and shutdown of runs are the workers' business.
 */
export async function createDistributedOperations(options: DistributedOptions): Promise<Operations> {
  const shared = await openShared(options, 'api');
  const service = createJobService({
    engine: options.engine,
    jobs: shared.jobs,
    bus: shared.bus,
    lock: shared.lock,
    queue: shared.queue,
    statuses: shared.statuses,
    maxQueuedPerTarget: options.maxQueuedPerTarget,
  });
  return {
    ...service,
    lock: shared.lock,
    recover: async () => [],
    activeJobs: () => [],
    shutdown: () => shared.close(),
  };
}

/**
 * `system { driftLag }` for an API process of the scaled-out mode: read from when the workers last started
 * each deployed service's check, in the database.
 */
export async function createDistributedDriftLag(options: {
  /** An engine whose index is in the same database. */
  engine: Engine;
  databaseUrl: string;
  /** The workers' SPAWNIT_DRIFT_INTERVAL_MS: the promise the lag is measured against. */
  intervalMs: number;
}): Promise<DriftLag & { close(): Promise<void> }> {
  const pool = await openPool(options.databaseUrl, 2);
  await prepareDriftTables(pool);
  return {
    ...createPostgresDriftLag({ engine: options.engine, pool, intervalMs: options.intervalMs }),
    close: () => pool.end(),
  };
}

const WORKERS_SCHEMA = `
CREATE TABLE IF NOT EXISTS spawnit_workers (id text PRIMARY KEY, beat_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS spawnit_running (
  job_id text PRIMARY KEY, client_id text NOT NULL, worker_id text NOT NULL, queue_worker_id text);
CREATE TABLE IF NOT EXISTS spawnit_queue_workers (
  worker_id text NOT NULL, queue_worker_id text NOT NULL, PRIMARY KEY (worker_id, queue_worker_id));
`;

export interface DistributedWorker {
  readonly id: string;
  /** What this worker's drift checks came to. */
  readonly driftStats: DriftCheckStats;
  /** Stops taking runs, interrupts those running (one interrupt each), waits for them. */
  stop(): Promise<void>;
}

/**
 * `spawnit worker`: takes runs from the queue (graphile-worker, one job per target at a time, in order) and
 * runs each with the same worker and steps as the one-process mode.
 */
export async function startDistributedWorker(
  options: DistributedOptions & {
    /** Runs at once. @default 2 */
    concurrency?: number;
    /** Names this worker in logs and in the queue's locks. @default host and pid */
    id?: string;
    /** How often this worker says it is alive. @default 5_000 */
    heartbeatMs?: number;
    /** A worker silent this long is dead: its runs are interrupted and its targets freed. @default 15_000 */
    deadAfterMs?: number;
    /**
     * A job recorded as queued this long ago that the queue never got (the API process that asked for it stopped
     * in between), or whose run the queue gave up on before it started (its task failed), ends failed, so its
     * target's history does not show it waiting forever. @default 60_000
     */
    unqueuedAfterMs?: number;
    /**
     * How often each deployed service is checked for changes made outside SpawnIt, by whichever worker is
     * free; 0 checks none. @default 10_000
     */
    driftIntervalMs?: number;
    /**
     * The Docker engine whose container events (died, removed, changed) queue a check of just the service
     * they concern, whatever the interval; `false` watches none. Every worker watches; each event queues
     * one check however many saw it.
     * @default `engine.dockerHost`, the one tofu's docker provider reaches
     */
    dockerHost?: string | false;
    /** Wait after a container event before queueing its check, so a burst makes one. @default 200 */
    eventSettleMs?: number;
    /**
     * Lines of one run's log kept while the database is away, at most; past them, followers on other
     * processes get the rest from the log saved to S3 when the run ends. @default 100_000
     */
    maxUnwrittenLines?: number;
  },
): Promise<DistributedWorker> {
  const shared = await openShared(options, 'worker');
  const id = options.id ?? `${hostname()}-${process.pid}`;
  const keptStates = await createPostgresKeptStates(shared.pool);
  const worker = createWorker({
    engine: options.engine,
    jobs: shared.jobs,
    bus: shared.bus,
    lock: shared.lock,
    statuses: shared.statuses,
    cancelledBeforeStart: (record) => shared.queue.cancelledBeforeStart(record.id),
    keptStates,
  });
  const { pool, jobs, bus, queue } = shared;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const deadAfterMs = options.deadAfterMs ?? 15_000;
  await pool.query(WORKERS_SCHEMA);
  await pool.query(
    'INSERT INTO spawnit_workers (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET beat_at = now()',
    [id],
  );

  /** The runs of a worker gone silent: interrupted, their locks reported, their logs ended, their targets freed. */
  async function reapDeadWorkers(): Promise<void> {
    const { rows: dead } = await pool.query<{ id: string }>(
      `DELETE FROM spawnit_workers WHERE beat_at < now() - make_interval(secs => $1) AND id <> $2 RETURNING id`,
      [deadAfterMs / 1000, id],
    );
    for (const { id: deadId } of dead) {
      const { rows: runs } = await pool.query<{
        job_id: string;
        client_id: string;
        queue_worker_id: string | null;
      }>('DELETE FROM spawnit_running WHERE worker_id = $1 RETURNING job_id, client_id, queue_worker_id', [
        deadId,
      ]);
      for (const run of runs) {
        const record = await jobs.get(run.client_id, run.job_id);
        if (!record || isTerminal(record.state)) continue;
        const target = await options.engine.resolve(record.target).catch(() => undefined);
        const lock = target
          ? await readLock(options.engine.store, target.stateKey).catch(() => undefined)
          : undefined;
        const updated = transition(record, 'interrupted', {
          error: `The worker running this job (${deadId}) stopped answering for ${deadAfterMs / 1000} s; the job was interrupted.${lock ? ` It left the state lock ${lock.id} on ${describeTarget(record.target)}: release it with a force-unlock of lock ${lock.id} once nothing runs there.` : ''}`,
          lock,
        });
        await jobs.save(updated);
        await jobs.clearActive(record.id).catch(() => undefined);
        // Followers of its log see it end.
        const { rows } = await pool.query<{ count: number }>(
          'UPDATE spawnit_job_logs SET closed = true WHERE client_id = $1 AND job_id = $2 RETURNING count',
          [record.clientId, record.id],
        );
        bus.publish('logWritten', {
          clientId: record.clientId,
          jobId: record.id,
          count: rows[0]?.count ?? 0,
          closed: true,
        });
        bus.publish('jobUpdated', updated);
        if (lock) bus.publish('lockFound', { target: record.target, lock, jobId: record.id });
      }
      // Every queue worker the dead process ran a task with, drift checks included: a check it died in would
      // otherwise keep its service's queue locked for hours (graphile-worker's own timeout).
      const { rows: used } = await pool.query<{ queue_worker_id: string }>(
        'DELETE FROM spawnit_queue_workers WHERE worker_id = $1 RETURNING queue_worker_id',
        [deadId],
      );
      const queueIds = [
        ...new Set([
          ...runs.map((r) => r.queue_worker_id).filter((q): q is string => q !== null),
          ...used.map((r) => r.queue_worker_id),
        ]),
      ];
      // The queue's own locks: the dead worker's jobs and its targets' queues, so the next runs can start.
      if (queueIds.length > 0) await queue.forceUnlockWorkers(queueIds);
    }
  }
  const unqueuedAfterMs = options.unqueuedAfterMs ?? 60_000;
  /**
   * Jobs recorded as queued that no worker will ever take: an API process stopped between recording one and
   * handing it to the queue, or the queue gave up on its run before the run recorded anything (its task threw,
   * and runs are never tried twice). A run being worked on is locked, and one still waiting has attempts left:
   * both are left alone. Their age is the database's own clock, whichever machine wrote them.
   */
  async function failUnqueuedJobs(): Promise<void> {
    const { rows } = await pool.query<{ client_id: string; job_id: string; last_error: string | null }>(
      `SELECT j.client_id, j.job_id, g.last_error FROM spawnit_jobs j
         LEFT JOIN graphile_worker.jobs g ON g.key = j.job_id
        WHERE j.record->>'state' = 'queued' AND j.recorded_at < now() - make_interval(secs => $1)
          AND (g.id IS NULL OR (g.locked_at IS NULL AND g.attempts >= g.max_attempts))
        LIMIT 100`,
      [unqueuedAfterMs / 1000],
    );
    for (const row of rows) {
      const record = await jobs.get(row.client_id, row.job_id);
      if (record?.state !== 'queued') continue;
      const again = record.kind === 'apply' ? 'apply its plan again' : 'ask for it again';
      const failed = transition(record, 'failed', {
        error:
          row.last_error === null
            ? `The API process that queued this job stopped before handing it to the workers, so it never ran; ${again}.`
            : `The workers could not start this job (${row.last_error.split('\n')[0]}), so it never ran; ${again}.`,
      });
      await jobs.save(failed);
      await jobs.clearActive(record.id).catch(() => undefined);
      bus.publish('jobUpdated', failed);
    }
  }

  /** Aborted by `stop`: a run's task then ends without waiting for the database. */
  const stopping = new AbortController();
  let beating = false;
  /** Since when this worker's beats go through: after an outage, the others need time to beat again too. */
  let connectedSince = Date.now();
  const heartbeat = setInterval(() => {
    if (beating) return;
    beating = true;
    void pool
      // An upsert: a worker the others took for dead (a long outage) comes back.
      .query('INSERT INTO spawnit_workers (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET beat_at = now()', [
        id,
      ])
      .then(async () => {
        if (connectedSince === Number.POSITIVE_INFINITY) connectedSince = Date.now();
        // After a database outage every worker was cut off: judge the others once they could beat again.
        if (Date.now() - connectedSince > 2 * heartbeatMs) {
          await reapDeadWorkers();
          await failUnqueuedJobs();
        }
      })
      .catch((error: Error) => {
        connectedSince = Number.POSITIVE_INFINITY;
        bus.publish('warning', `Worker ${id}: ${error.message}`);
      })
      .finally(() => {
        beating = false;
      });
  }, heartbeatMs);
  heartbeat.unref();

  const driftIntervalMs = options.driftIntervalMs ?? 10_000;
  const driftStats: DriftCheckStats = {
    planned: 0,
    preempted: 0,
    eventChecks: 0,
    ignoredEvents: 0,
    eventsAskedElsewhere: 0,
    lastEventCheckMs: undefined,
  };
  const drift =
    driftIntervalMs > 0
      ? scheduleDriftChecks({
          engine: options.engine,
          addDriftCheck: (ref, runAt) => queue.addDriftCheck(ref, runAt),
          intervalMs: driftIntervalMs,
          onError: (error) => bus.publish('warning', `Drift checks: ${(error as Error).message}`),
        })
      : undefined;
  const dockerHost = options.dockerHost === false ? false : options.dockerHost || options.engine.dockerHost;
  const events =
    driftIntervalMs > 0 && dockerHost !== false
      ? watchDriftEvents({
          dockerHost,
          settleMs: options.eventSettleMs,
          heldByJob: (ref) => isHeldByJob(pool, ref),
          deployed: async (ref) => (await options.engine.index.deployed([ref]))[0] ?? false,
          request: (ref, event) => queueEventCheck(pool, ref, event),
          stats: driftStats,
          onError: (error) => bus.publish('warning', `Drift checks: ${(error as Error).message}`),
        })
      : undefined;

  /** The queue workers (graphile-worker's ids) this process has run tasks with, written down once each. */
  const noted = new Set<string>();
  const noteQueueWorker = async (queueWorkerId: string | null) => {
    if (!queueWorkerId || noted.has(queueWorkerId)) return;
    await pool.query('INSERT INTO spawnit_queue_workers VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      id,
      queueWorkerId,
    ]);
    noted.add(queueWorkerId);
  };
  const driftTask = createDriftTask({
    engine: options.engine,
    bus,
    statuses: shared.statuses,
    dataDir: options.engine.dataDir,
    keptStates,
    stats: driftStats,
    pool,
  });

  /**
   * A task ends (and the queue hears it) only once the database answers and has what this worker kept for
   * it: graphile-worker gives up on a completion it cannot write, and the target's queue would stay locked;
   * the target's next job then starts after this one's end is in the index.
   */
  const endOnceBack =
    (task: Task): Task =>
    async (payload, helpers) => {
      try {
        await inRun.run(true, () => task(payload, helpers));
      } finally {
        await bus.drained(stopping.signal);
        while (!stopping.signal.aborted) {
          const away = await pool.query('SELECT 1').then(
            () => false,
            (error) => isDatabaseAway(error),
          );
          if (!away) break;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    };

  const { run } = await import('graphile-worker');
  const runner = await run({
    pgPool: shared.pool,
    concurrency: options.concurrency ?? 2,
    noHandleSignals: true,
    // No schedule: without this, graphile-worker reads a `crontab` file from wherever the worker was started.
    parsedCronItems: [],
    taskList: {
      [DRIFT_TASK]: endOnceBack(async (payload, helpers) => {
        // So that if this process dies mid-check, another frees the service's queue.
        await noteQueueWorker(helpers.job.locked_by);
        return driftTask(payload);
      }),
      [RUN_TASK]: endOnceBack(async (payload, helpers) => {
        const { clientId, jobId } = payload as RunPayload;
        const record = await jobs.get(clientId, jobId);
        if (!record || isTerminal(record.state)) return;
        // Who runs it, so that if this process dies, another finds the job and frees its target.
        await pool.query(
          'INSERT INTO spawnit_running VALUES ($1, $2, $3, $4) ON CONFLICT (job_id) DO NOTHING',
          [jobId, clientId, id, helpers.job.locked_by],
        );
        await noteQueueWorker(helpers.job.locked_by);
        // A user's job of a service finds its status: the drift check waiting behind it is not late meanwhile.
        const noteCheck = () =>
          record.target.kind === 'service'
            ? recordCheckStart(pool, targetKeyOf(record.target)).catch(() => undefined)
            : undefined;
        await noteCheck();
        try {
          await worker.push(record);
          await worker.done(jobId);
        } finally {
          await noteCheck();
          // After the job's record (in order): a database away now gets it once back.
          await bus
            .write(`running ${jobId}`, async () => {
              await pool.query('DELETE FROM spawnit_running WHERE job_id = $1', [jobId]);
            })
            .catch(() => undefined);
        }
      }),
    },
  });
  let stopped: Promise<void> | undefined;
  return {
    id,
    driftStats,
    stop() {
      // Once: a second call waits for the first.
      stopped ??= (async () => {
        clearInterval(heartbeat);
        stopping.abort();
        drift?.stop();
        events?.stop();
        await worker.shutdown();
        await runner.stop();
        await pool.query('DELETE FROM spawnit_workers WHERE id = $1', [id]).catch(() => undefined);
        await pool
          .query('DELETE FROM spawnit_queue_workers WHERE worker_id = $1', [id])
          .catch(() => undefined);
        await shared.close();
      })();
      return stopped;
    },
  };
}
