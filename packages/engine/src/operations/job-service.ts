import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine.js';
import { ConflictError, NotFoundError, QueueFullError, TofuError } from '../errors.js';
import { isTerminal, type JobKind, type JobRecord, newJob, transition } from '../job/job.js';
import type { LogLine } from '../job/job-log.js';
import { clientPrefix, describeTarget, type TargetRef, targetPrefix, tfvarsKey } from '../store/keys.js';
import { prepareWorkdir, removeClearTfvars } from '../workdir/prepare-workdir.js';
import { workdirOf } from '../workdir/resolve-target.js';
import type { ServiceStatus } from './events.js';
import { readLock } from './locks.js';
import type { EventBus, JobQueue, JobStore, TargetLock } from './ports.js';
import type { ServiceStatuses } from './service-status.js';

export interface JobServiceOptions {
  engine: Engine;
  jobs: JobStore;
  bus: EventBus;
  lock: TargetLock;
  queue: JobQueue;
  statuses: ServiceStatuses;
  /** Jobs waiting for one service or network at once (the running one not counted); more are refused. @default 5 */
  maxQueuedPerTarget?: number;
}

/** What the API asks of jobs: commands with their guards, queries, and the events to follow. */
export interface JobService {
  /** Everything that happens to jobs and services. */
  readonly events: EventBus;
  /** Queues a plan of a service or network (of its destruction with `destroy`). */
  plan(ref: TargetRef, options?: { destroy?: boolean }): Promise<JobRecord>;
  /** Queues the apply of the plan a succeeded plan job saved. */
  apply(ref: TargetRef, planJobId: string): Promise<JobRecord>;
  /** Queues a destroy: a destroy plan, then its apply, in one job. */
  destroy(ref: TargetRef): Promise<JobRecord>;
  /**
   * Cancels a job: a queued one at once; a running one with one interrupt, or a kill with `force`. The
   * request is published: whichever worker holds the job stops it.
   */
  cancel(clientId: string, jobId: string, options?: { force?: boolean }): Promise<JobRecord>;
  getJob(clientId: string, jobId: string): Promise<JobRecord | undefined>;
  /** A client's jobs, newest first, from the index: the cost follows `limit`, not the history's length. */
  listJobs(clientId: string, filter?: { target?: TargetRef; limit?: number }): Promise<JobRecord[]>;
  /**
   * Deletes a service or network that has nothing deployed: its configuration and its job history (records and
   * logs), so a new one of the same name starts with none. Refused while a job of it is queued or running, or
   * while it is deployed. Returns how many jobs went.
   */
  deleteTarget(ref: TargetRef): Promise<number>;
  /** Missed lines from `fromLine`, then live ones; ends when the job ends. */
  followLog(
    clientId: string,
    jobId: string,
    fromLine?: number,
    signal?: AbortSignal,
  ): AsyncGenerator<LogLine>;
  /** The lines of `followLog` in batches as they come (never empty): one step per batch, for bulk readers. */
  followLogBatches(
    clientId: string,
    jobId: string,
    fromLine?: number,
    signal?: AbortSignal,
  ): AsyncGenerator<LogLine[]>;
  /** The lines written so far from `fromLine`, without waiting for more (a snapshot for queries). */
  readLog(clientId: string, jobId: string, fromLine?: number): Promise<LogLine[]>;
  /** Resolves when the job reaches a final state. */
  waitForJob(clientId: string, jobId: string): Promise<JobRecord>;
  serviceStatus(clientId: string, serviceId: string): Promise<ServiceStatus | undefined>;
  /** Records a status found outside a job (the drift loop); publishes only on change. */
  recordStatus(clientId: string, serviceId: string, status: ServiceStatus): Promise<void>;
  /**
   * Releases a lock left in the backend, after checking it is the one reported and no run of SpawnIt
   * holds the target.
   */
  forceUnlock(ref: TargetRef, lockId: string): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createJobService(options: JobServiceOptions): JobService {
  const { engine, jobs, bus, lock, queue, statuses } = options;
  const maxQueued = options.maxQueuedPerTarget ?? 5;
  // Jobs counted but not yet handed to the queue (their records are being saved), so two at once cannot
  // both slip in.
  const reserved = new Map<string, number>();

  /** Holds a place in the target's queue, or refuses: a user cannot pile up runs on one target. */
  async function reserveQueuePlace(ref: TargetRef): Promise<() => void> {
    const key = targetPrefix(ref);
    const waiting = await queue.queued(key);
    const queued = (reserved.get(key) ?? 0) + waiting;
    if (queued >= maxQueued) {
      throw new QueueFullError(
        `The ${describeTarget(ref)} already has ${queued} jobs waiting, the most allowed (SPAWNIT_MAX_QUEUED_JOBS_PER_TARGET=${maxQueued}): wait for them to run, or cancel one.`,
        maxQueued,
      );
    }
    reserved.set(key, (reserved.get(key) ?? 0) + 1);
    return () => {
      const left = (reserved.get(key) ?? 1) - 1;
      if (left > 0) reserved.set(key, left);
      else reserved.delete(key);
    };
  }

  async function enqueue(
    kind: JobKind,
    ref: TargetRef,
    extra: { destroy?: boolean; planId?: string; planJobId?: string } = {},
  ): Promise<JobRecord> {
    const unreserve = await reserveQueuePlace(ref);
    let record: JobRecord;
    let recorded: Promise<void>;
    let pushed: Promise<void>;
    try {
      await jobs.retryUnsaved();
      record = newJob({ id: randomUUID(), kind, trigger: 'user', target: ref, ...extra });
      await jobs.touch(record);
      bus.publish('jobUpdated', record);
      // One S3 write before the job is answered: its marker, which carries the record, so a restart finds and
      // ends it. The queue takes the job meanwhile: it gets ready (takes its target, reads its configuration)
      // and runs tofu once the marker is written. The record's own object is written when the job ends; until
      // then listings see it in the index.
      recorded = jobs.markActive(record);
      recorded.catch(() => undefined);
      pushed = queue.push(record, recorded);
    } finally {
      // The queue counts the job from here: its place is not counted twice.
      unreserve();
    }
    try {
      await pushed;
    } catch (error) {
      // The queue did not take it (it waits for the marker first): the job ends here, never run.
      const failed = transition(record, 'failed', {
        error: `The job could not be queued, so it did not run: ${(error as Error).message}`,
      });
      await jobs.save(failed).catch(() => undefined);
      bus.publish('jobUpdated', failed);
      throw error;
    }
    // Taken by the queue, a job whose marker fails ends failed there, without running.
    await recorded;
    return record;
  }

  async function getJob(clientId: string, jobId: string): Promise<JobRecord | undefined> {
    if (typeof jobId !== 'string' || !UUID.test(jobId)) return undefined;
    return jobs.get(clientId, jobId);
  }

  async function existingJob(clientId: string, jobId: string): Promise<JobRecord> {
    const record = await getJob(clientId, jobId);
    if (!record) throw new NotFoundError(`Job ${jobId} does not exist.`);
    return record;
  }

  async function ensureExists(ref: TargetRef) {
    // The index, kept on every write, answers without a trip to S3; S3 decides only when it knows nothing.
    const [known] =
      ref.kind === 'service' ? await engine.index.services([ref]) : await engine.index.networks([ref]);
    if (known) return;
    if (!(await engine.store.get(tfvarsKey(ref)))) {
      throw new NotFoundError(`${describeTarget(ref)} does not exist.`);
    }
  }

  async function destroyGuard(ref: TargetRef) {
    if (ref.kind !== 'network') return;
    const on = await engine.servicesOnNetwork(ref);
    if (on.length > 0) {
      throw new ConflictError(
        `Network "${ref.networkName}" (${ref.provider}) still has deployed services on it (${on.join(', ')}); destroy them first.`,
      );
    }
  }

  async function* followLogBatches(
    clientId: string,
    jobId: string,
    fromLine = 0,
    signal?: AbortSignal,
  ): AsyncGenerator<LogLine[]> {
    await existingJob(clientId, jobId);
    yield* jobs.followLogBatches(clientId, jobId, Math.max(0, fromLine), signal);
  }

  return {
    events: bus,
    async plan(ref, planOptions = {}) {
      await ensureExists(ref);
      if (planOptions.destroy) await destroyGuard(ref);
      return enqueue('plan', ref, { destroy: planOptions.destroy ?? false });
    },
    async apply(ref, planJobId) {
      await ensureExists(ref);
      const planJob = await getJob(ref.clientId, planJobId);
      if (planJob?.kind !== 'plan' || targetPrefix(planJob.target) !== targetPrefix(ref)) {
        throw new NotFoundError(`Plan job ${planJobId} of ${describeTarget(ref)} does not exist.`);
      }
      if (planJob.state !== 'succeeded') {
        throw new ConflictError(
          `Plan job ${planJobId} is ${planJob.state}; only a succeeded plan can be applied.`,
        );
      }
      if (!planJob.planId) {
        throw new ConflictError(`Plan job ${planJobId} found nothing to change; there is nothing to apply.`);
      }
      if (planJob.appliedBy) {
        throw new ConflictError(
          `Plan job ${planJobId} was already applied by job ${planJob.appliedBy}; plan again.`,
        );
      }
      if (planJob.destroy) await destroyGuard(ref);
      const applyJob = await enqueue('apply', ref, {
        planId: planJob.planId,
        planJobId,
        destroy: planJob.destroy,
      });
      const consumed = { ...planJob, appliedBy: applyJob.id };
      await jobs.save(consumed);
      bus.publish('jobUpdated', consumed);
      return applyJob;
    },
    async destroy(ref) {
      await ensureExists(ref);
      await destroyGuard(ref);
      return enqueue('destroy', ref);
    },
    async cancel(clientId, jobId, cancelOptions = {}) {
      const record = await existingJob(clientId, jobId);
      if (isTerminal(record.state)) {
        throw new ConflictError(
          `Job ${jobId} is ${record.state}; only a queued or running job can be cancelled.`,
        );
      }
      if (record.state === 'queued') await queue.cancelQueued?.(record);
      bus.publish('cancelRequested', { clientId, jobId, force: cancelOptions.force ?? false });
      return record;
    },
    getJob,
    async deleteTarget(ref) {
      const history = await jobs.list(ref.clientId, { target: ref });
      if (history.some((job) => !isTerminal(job.state))) {
        throw new ConflictError(
          `${describeTarget(ref)} has a job queued or running; wait for it or cancel it, then delete.`,
        );
      }
      const deleteConfig = () =>
        ref.kind === 'service'
          ? engine.deleteService({ clientId: ref.clientId, serviceId: ref.serviceId })
          : engine.deleteNetwork({
              clientId: ref.clientId,
              provider: ref.provider,
              networkName: ref.networkName,
            });
      // Deployed: the engine refuses with its own message before anything is deleted.
      if (await engine.isDeployed(ref)) await deleteConfig();
      await jobs.remove(
        ref.clientId,
        history.map((job) => job.id),
      );
      await deleteConfig();
      return history.length;
    },
    async listJobs(clientId, filter = {}) {
      clientPrefix(clientId);
      return jobs.list(clientId, filter);
    },
    async *followLog(clientId, jobId, fromLine = 0, signal) {
      for await (const batch of followLogBatches(clientId, jobId, fromLine, signal)) yield* batch;
    },
    followLogBatches,
    async readLog(clientId, jobId, fromLine = 0) {
      await existingJob(clientId, jobId);
      const from = Math.max(0, fromLine);
      const lines = await jobs.readLog(clientId, jobId, from);
      return lines.map((text, i) => ({ n: from + i, text }));
    },
    async waitForJob(clientId, jobId) {
      // Listen first, then read: an end published in between is not missed.
      let onEnd: ((record: JobRecord) => void) | undefined;
      const ended = new Promise<JobRecord>((resolve) => (onEnd = resolve));
      const unsubscribe = bus.subscribe('jobUpdated', (record) => {
        if (record.id === jobId && record.clientId === clientId && isTerminal(record.state)) onEnd?.(record);
      });
      try {
        const record = await existingJob(clientId, jobId);
        return isTerminal(record.state) ? record : await ended;
      } finally {
        unsubscribe();
      }
    },
    serviceStatus: statuses.get,
    recordStatus: statuses.record,
    async forceUnlock(ref, lockId) {
      const key = targetPrefix(ref);
      if (lock.isBusy(key)) {
        throw new ConflictError(
          `A run of SpawnIt holds ${describeTarget(ref)} now; the lock is in use, not stale.`,
        );
      }
      const release = await lock.acquire(key);
      const ctx = engine.runContext;
      try {
        const target = await engine.resolve(ref);
        const found = await readLock(engine.store, target.stateKey);
        if (!found) throw new NotFoundError(`${describeTarget(ref)} has no lock in the backend.`);
        if (found.id !== lockId) {
          throw new ConflictError(
            `The lock of ${describeTarget(ref)} is ${found.id}, not ${lockId}; check it again before forcing it.`,
          );
        }
        const prepared = await prepareWorkdir(ctx, target);
        const result = await ctx.run(['force-unlock', '-force', lockId], { cwd: prepared.dir });
        if (result.exitCode !== 0) {
          throw new TofuError(
            `force-unlock of ${describeTarget(ref)} failed: ${ctx.lastLines(result.lines)}`,
            {
              command: result.command,
              exitCode: result.exitCode,
              output: result.lines.join('\n'),
            },
          );
        }
      } finally {
        await removeClearTfvars(workdirOf(ctx.workdirRoot, ref));
        release();
      }
    },
  };
}
