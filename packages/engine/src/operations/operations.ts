import type { Engine } from '../engine.js';
import type { JobRecord } from '../job/job.js';
import { InProcessEventBus } from './in-process/event-bus.js';
import { createS3JobStore } from './in-process/s3-job-store.js';
import { TargetSlots } from './in-process/target-lock.js';
import { createJobService, type JobService } from './job-service.js';
import type { TargetLock } from './ports.js';
import { createServiceStatuses } from './service-status.js';
import { createWorker } from './worker/worker.js';

export interface OperationsOptions {
  engine: Engine;
  /** Local folder for states kept after a failed save. @default the engine's dataDir */
  dataDir?: string;
  /** How often a running job's log is flushed to S3, so a crash loses at most this much. @default 5_000 */
  logFlushMs?: number;
  /** Jobs waiting for one service or network at once (the running one not counted); more are refused. @default 5 */
  maxQueuedPerTarget?: number;
}

/** The job service and one worker in this process, sharing an in-process bus and target lock. */
export interface Operations extends JobService {
  /** One run at a time per target: what the worker and the drift loop take. */
  readonly lock: TargetLock;
  /** Finds jobs a crash left unfinished: marks them interrupted, reports their locks, pushes kept states. */
  recover(): Promise<JobRecord[]>;
  /** Jobs running or queued now. */
  activeJobs(): JobRecord[];
  /** Cancels running jobs (one interrupt each) and waits for them. */
  shutdown(): Promise<void>;
}

/** Everything in one process: what `spawnit start` runs. */
export function createOperations(options: OperationsOptions): Operations {
  const { engine } = options;
  const bus = new InProcessEventBus();
  const lock = new TargetSlots();
  const jobs = createS3JobStore({
    store: engine.store,
    index: engine.index,
    logFlushMs: options.logFlushMs,
  });
  const statuses = createServiceStatuses({ index: engine.index, store: engine.store, bus });
  const worker = createWorker({ engine, jobs, bus, lock, statuses, dataDir: options.dataDir });
  const service = createJobService({
    engine,
    jobs,
    bus,
    lock,
    queue: worker,
    statuses,
    maxQueuedPerTarget: options.maxQueuedPerTarget,
  });
  return {
    ...service,
    lock,
    recover: () => worker.recover(),
    activeJobs: () => worker.active(),
    shutdown: () => worker.shutdown(),
  };
}
