import { hostname } from 'node:os';
import type { Engine } from '../engine.js';
import { isTerminal } from '../job/job.js';
import { createJobService } from './job-service.js';
import type { Operations } from './operations.js';
import { createPostgresEventBus } from './postgres/pg-event-bus.js';
import { createPostgresJobStore } from './postgres/pg-job-store.js';
import { createPostgresQueue, RUN_TASK, type RunPayload } from './postgres/pg-queue.js';
import { createPostgresTargetLock } from './postgres/pg-target-lock.js';
import { openPool } from './postgres/pool.js';
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

/** The parts every process of the scaled-out mode shares, on one database. */
async function openShared(options: DistributedOptions) {
  const { engine, databaseUrl } = options;
  const pool = await openPool(databaseUrl, 20);
  const bus = await createPostgresEventBus({ pool, connectionString: databaseUrl });
  const jobs = await createPostgresJobStore({
    pool,
    store: engine.store,
    index: engine.index,
    bus,
    tofuPath: engine.runContext.tofu.path,
  });
  const lock = createPostgresTargetLock(pool);
  const queue = await createPostgresQueue(pool);
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
  const shared = await openShared(options);
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

export interface DistributedWorker {
  readonly id: string;
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
  },
): Promise<DistributedWorker> {
  const shared = await openShared(options);
  const id = options.id ?? `${hostname()}-${process.pid}`;
  const worker = createWorker({
    engine: options.engine,
    jobs: shared.jobs,
    bus: shared.bus,
    lock: shared.lock,
    statuses: shared.statuses,
    cancelledBeforeStart: (record) => shared.queue.cancelledBeforeStart(record.id),
  });
  const { run } = await import('graphile-worker');
  const runner = await run({
    pgPool: shared.pool,
    concurrency: options.concurrency ?? 2,
    noHandleSignals: true,
    taskList: {
      [RUN_TASK]: async (payload) => {
        const { clientId, jobId } = payload as RunPayload;
        const record = await shared.jobs.get(clientId, jobId);
        if (!record || isTerminal(record.state)) return;
        await worker.push(record);
        await worker.done(jobId);
      },
    },
  });
  return {
    id,
    async stop() {
      await worker.shutdown();
      await runner.stop();
      await shared.close();
    },
  };
}
