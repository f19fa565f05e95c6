import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Engine } from '../engine.js';
import { ConflictError, NotFoundError, QueueFullError, SpawnitError, TofuError } from '../errors.js';
import { isTerminal, type JobKind, type JobRecord, type JobState, newJob, transition } from '../job/job.js';
import { JobLog, type LogLine } from '../job/job-log.js';
import type { JobProgress } from '../runner/apply-events.js';
import type { PlanResult } from '../runner/plan.js';
import { withoutAttributes } from '../runner/plan-summary.js';
import { networkRef } from '../service/network-config.js';
import { clientPrefix, describeTarget, type TargetRef, targetPrefix, tfvarsKey } from '../store/keys.js';
import { prepareWorkdir, removeClearTfvars } from '../workdir/prepare-workdir.js';
import { workdirOf } from '../workdir/resolve-target.js';
import { EngineEventEmitter, type ServiceStatus } from './events.js';
import { readLock } from './locks.js';
import { CompliantNetworks, fingerprintNetwork } from './network-check.js';
import { collectErroredState, pushPendingStates, recoveryDirOf } from './state-recovery.js';
import { TargetSlots } from './target-slots.js';

export interface OperationsOptions {
  engine: Engine;
  /** Local folder for states kept after a failed save. @default the engine's dataDir */
  dataDir?: string;
  /** How often a running job's log is flushed to S3, so a crash loses at most this much. @default 5_000 */
  logFlushMs?: number;
  /** Jobs waiting for one service or network at once (the running one not counted); more are refused. @default 5 */
  maxQueuedPerTarget?: number;
}

/** What a running job can be stopped with. */
interface Running {
  record: JobRecord;
  log: JobLog;
  cancel: AbortController;
  force: AbortController;
  done: Promise<JobRecord>;
}

export const jobKey = (clientId: string, jobId: string) => `${clientPrefix(clientId)}jobs/${jobId}.json`;
export const jobLogKey = (clientId: string, jobId: string) => `${clientPrefix(clientId)}jobs/${jobId}.log`;
/** Markers of unfinished jobs, so a restart finds them without listing every client's history. */
export const ACTIVE_PREFIX = '.spawnit/active-jobs/';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const targetKeyOf = (ref: TargetRef) => targetPrefix(ref);

export interface Operations {
  readonly events: EngineEventEmitter;
  readonly slots: TargetSlots;
  /** Queues a plan of a service or network (of its destruction with `destroy`). */
  plan(ref: TargetRef, options?: { destroy?: boolean }): Promise<JobRecord>;
  /** Queues the apply of the plan a succeeded plan job saved. */
  apply(ref: TargetRef, planJobId: string): Promise<JobRecord>;
  /** Queues a destroy: a destroy plan, then its apply, in one job. */
  destroy(ref: TargetRef): Promise<JobRecord>;
  /** Cancels a job: a queued one at once; a running one with one interrupt, or a kill with `force`. */
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
  /** The lines written so far from `fromLine`, without waiting for more (a snapshot for queries). */
  readLog(clientId: string, jobId: string, fromLine?: number): Promise<LogLine[]>;
  /** Resolves when the job reaches a final state. */
  waitForJob(clientId: string, jobId: string): Promise<JobRecord>;
  serviceStatus(clientId: string, serviceId: string): Promise<ServiceStatus | undefined>;
  /** Records a status found outside a job (the drift loop); emits only on change. */
  recordStatus(clientId: string, serviceId: string, status: ServiceStatus): Promise<void>;
  /**
   * Releases a lock left in the backend, after checking it is the one reported and no run of SpawnIt
   * holds the target.
   */
  forceUnlock(ref: TargetRef, lockId: string): Promise<void>;
  /** Finds jobs a crash left unfinished: marks them interrupted, reports their locks, pushes kept states. */
  recover(): Promise<JobRecord[]>;
  /** Jobs running or queued now. */
  activeJobs(): JobRecord[];
  /** Cancels running jobs (one interrupt each) and waits for them. */
  shutdown(): Promise<void>;
}

interface ActiveMarker {
  jobId: string;
  clientId: string;
  host: string;
  pid: number | undefined;
  bin: string | undefined;
}

/** What makes two statuses "the same" for the user: an event is sent only when this changes. */
function statusFingerprint(status: ServiceStatus): string {
  // What changes, not the values: a value that moves on every check (a timestamp) is not news.
  const { resources = [], drift = [] } = withoutAttributes(status.summary) ?? {};
  return JSON.stringify([status.status, resources, drift, status.error ?? null]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A tofu left running by a crashed SpawnIt still holds its lock: one interrupt lets it save state and
 * unlock; a kill follows if it does not stop in time. Only a process running our binary is touched.
 */
async function stopOrphan(pid: number, bin: string, graceMs = 15_000): Promise<void> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.split('\0')[0]?.endsWith(path.basename(bin)) || !isAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone.
  }
}

export function createOperations(options: OperationsOptions): Operations {
  const { engine } = options;
  const dataDir = options.dataDir ?? engine.dataDir;
  const ctx = engine.runContext;
  const store = engine.store;
  const index = engine.index;
  const events = new EngineEventEmitter();
  const slots = new TargetSlots();
  const running = new Map<string, Running>();
  const compliantNetworks = new CompliantNetworks();
  const logFlushMs = options.logFlushMs ?? 5_000;
  const maxQueued = options.maxQueuedPerTarget ?? 5;
  // Jobs counted but not yet in `running` (their records are being saved), so two at once cannot both slip in.
  const reserved = new Map<string, number>();

  const activeMarker = (record: JobRecord, pid?: number): ActiveMarker => ({
    jobId: record.id,
    clientId: record.clientId,
    host: hostname(),
    pid,
    bin: pid ? ctx.tofu.path : undefined,
  });

  // History that could not be written (S3 down) is kept here and written at the next chance.
  const unsaved = new Map<string, string>();
  async function persist(key: string, body: string): Promise<void> {
    try {
      await store.put(key, body, { contentType: key.endsWith('.json') ? 'application/json' : 'text/plain' });
      unsaved.delete(key);
    } catch (error) {
      unsaved.set(key, body);
      throw error;
    }
  }
  async function retryUnsaved(): Promise<void> {
    for (const [key, body] of [...unsaved]) await persist(key, body).catch(() => undefined);
  }
  async function saveRecord(record: JobRecord): Promise<void> {
    // The index holds what this process knows, even while S3 refuses the write.
    await index.putJob(record);
    await persist(jobKey(record.clientId, record.id), `${JSON.stringify(record, null, 2)}\n`);
  }

  async function recordStatus(clientId: string, serviceId: string, status: ServiceStatus): Promise<void> {
    const previous = await loadStatus(clientId, serviceId);
    await index.setStatus({ clientId, serviceId }, status);
    if (previous && statusFingerprint(previous) === statusFingerprint(status)) return;
    // In memory the status keeps its diff for the UI; S3 gets it without the values (see withoutAttributes).
    const saved = { ...status, summary: withoutAttributes(status.summary) };
    await store
      .putJson(`${targetPrefix({ kind: 'service', clientId, serviceId })}status.json`, saved)
      .catch(() => {
        // The status is rebuilt by the next plan; an S3 hiccup must not fail the run that found it.
      });
    events.emit('serviceStatus', { clientId, serviceId, status });
  }

  async function loadStatus(clientId: string, serviceId: string): Promise<ServiceStatus | undefined> {
    return (await index.statuses([{ clientId, serviceId }]))[0];
  }

  /** Before a service plan: its network must be configured and plan with no changes. */
  async function checkNetwork(
    ref: Extract<TargetRef, { kind: 'service' }>,
    log: JobLog,
    signal: AbortSignal,
  ) {
    // From the index: the run reads both configurations from S3 anyway, once, where it needs them.
    const [service] = await index.services([ref]);
    if (!service) throw new NotFoundError(`${describeTarget(ref)} does not exist.`);
    const network = networkRef(ref.clientId, service.provider, service.networkName);
    const name = `network "${service.networkName}" (${service.provider})`;
    const [configured] = await index.networks([
      { clientId: ref.clientId, provider: service.provider, networkName: service.networkName },
    ]);
    if (!configured) {
      throw new SpawnitError(
        'CONFLICT',
        `Service "${ref.serviceId}" sits on ${name}, which is not configured; create the network "${service.networkName}" for provider ${service.provider} and apply it, then plan again.`,
      );
    }
    log.append(`Checking ${name} before planning service "${ref.serviceId}"...`);
    const networkKey = targetKeyOf(network);
    const release = await slots.acquire(networkKey, signal);
    let result: PlanResult;
    let fingerprint: string | undefined;
    try {
      // Read while the network's slot is held: no run of SpawnIt can change its state meanwhile.
      fingerprint = await fingerprintNetwork(engine, network as Extract<TargetRef, { kind: 'network' }>);
      const since = compliantNetworks.compliantAt(networkKey, fingerprint);
      if (since) {
        log.append(
          `${name[0]!.toUpperCase()}${name.slice(1)} is compliant: its state and configuration are unchanged since its check at ${since}.`,
        );
        return;
      }
      result = await engine.plan(network, {
        save: false,
        signal,
        onLine: (l) => log.append(`[network] ${l}`),
      });
    } finally {
      release();
    }
    compliantNetworks.remember(networkKey, result.status === 'compliant' ? fingerprint : undefined);
    if (result.cancelled) throw new SpawnitError('CANCELLED', `The check of ${name} was cancelled.`);
    if (result.status === 'error') {
      throw new SpawnitError(
        'CONFLICT',
        `The check of ${name} failed, so service "${ref.serviceId}" was not planned: ${result.error}`,
      );
    }
    if (result.status === 'drifted') {
      const s = result.summary!;
      throw new SpawnitError(
        'CONFLICT',
        `${name[0]!.toUpperCase()}${name.slice(1)} is not deployed as configured (its plan has ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy); apply the network, then plan service "${ref.serviceId}" again.`,
      );
    }
    log.append(`${name[0]!.toUpperCase()}${name.slice(1)} is compliant.`);
  }

  async function runSteps(job: Running): Promise<Partial<JobRecord>> {
    const { record, log, cancel, force } = job;
    const ref = record.target;
    const onLine = (line: string) => log.append(line);
    // The running tofu's pid goes into the job's marker, so a restart after a crash can stop an orphan.
    const onSpawn = (pid: number) =>
      void store.putJson(`${ACTIVE_PREFIX}${record.id}`, activeMarker(record, pid)).catch(() => undefined);
    // Progress lives on the record in memory (S3 gets it with the next save); subscribers hear of it at most
    // five times a second, so an apply of thousands of resources does not flood them.
    let progressPending = false;
    const onProgress = (progress: JobProgress) => {
      job.record = { ...job.record, progress };
      if (progressPending) return;
      progressPending = true;
      setTimeout(() => {
        progressPending = false;
        events.emit('jobUpdated', job.record);
      }, 200);
    };
    const runOptions = { onLine, onSpawn, onProgress, signal: cancel.signal, forceSignal: force.signal };
    const target = await engine.resolve(ref);
    // A state kept after an earlier failed save goes back first; until then the target is blocked.
    const pushed = await pushPendingStates(ctx, target, recoveryDirOf(dataDir, ref), onLine);
    if (pushed > 0) log.append(`Recovered ${pushed} state file(s) that an earlier run could not save.`);
    if (record.kind === 'plan') {
      if (ref.kind === 'service' && !record.destroy) await checkNetwork(ref, log, cancel.signal);
      const result = await engine.plan(ref, { ...runOptions, destroy: record.destroy });
      const patch = {
        planId: result.saved ? result.planId : undefined,
        planStatus: result.status,
        summary: result.summary,
      };
      if (result.cancelled)
        throw Object.assign(new SpawnitError('CANCELLED', result.error ?? 'Cancelled.'), { patch });
      if (ref.kind === 'service' && !record.destroy) {
        await recordStatus(ref.clientId, ref.serviceId, {
          status: result.status,
          checkedAt: new Date().toISOString(),
          summary: result.summary,
          error: result.error,
          source: 'job',
        });
      }
      if (result.status === 'error')
        throw Object.assign(new SpawnitError('TOFU_FAILED', result.error!), { patch });
      return patch;
    }
    if (record.kind === 'apply') {
      const applied = await engine.apply(ref, record.planId!, runOptions);
      return { summary: applied.summary, destroy: applied.destroy };
    }
    // destroy: its plan, then its apply, in one job.
    const destroyPlan = await engine.plan(ref, { ...runOptions, destroy: true });
    if (destroyPlan.cancelled) throw new SpawnitError('CANCELLED', destroyPlan.error ?? 'Cancelled.');
    if (destroyPlan.status === 'error') throw new SpawnitError('TOFU_FAILED', destroyPlan.error!);
    if (destroyPlan.status === 'compliant') {
      log.append(`Nothing to destroy: ${describeTarget(ref)} has no resources.`);
      return { planStatus: 'compliant', summary: destroyPlan.summary };
    }
    await engine.apply(ref, destroyPlan.planId, runOptions);
    return { planId: destroyPlan.planId, planStatus: destroyPlan.status, summary: destroyPlan.summary };
  }

  async function afterFailure(job: Running): Promise<Partial<JobRecord>> {
    const ref = job.record.target;
    const patch: Partial<JobRecord> = {};
    // Found from the ids alone: S3 may be what failed.
    const kept = await collectErroredState(
      workdirOf(ctx.workdirRoot, ref),
      recoveryDirOf(dataDir, ref),
      job.record.id,
    );
    if (kept) {
      job.log.append(
        `Tofu could not save the state to S3; it is kept at ${kept} and will be pushed back before the next run.`,
      );
    }
    const target = await engine.resolve(ref).catch(() => undefined);
    if (!target) return patch;
    if (kept) {
      try {
        await pushPendingStates(ctx, target, recoveryDirOf(dataDir, ref), (l) => job.log.append(l));
        job.log.append('The state was pushed back to S3: nothing was lost.');
      } catch (error) {
        job.log.append((error as Error).message);
      }
    }
    const lock = await readLock(store, target.stateKey).catch(() => undefined);
    if (lock) {
      patch.lock = lock;
      job.log.append(
        `The state lock ${lock.id} (${lock.operation ?? 'unknown operation'} by ${lock.who ?? 'unknown'}) was left in the backend. Nothing else of SpawnIt runs on ${describeTarget(ref)}: release it with a force-unlock of lock ${lock.id}.`,
      );
      events.emit('lockFound', { target: ref, lock, jobId: job.record.id });
    }
    return patch;
  }

  async function execute(job: Running): Promise<JobRecord> {
    const key = targetKeyOf(job.record.target);
    let release: (() => void) | undefined;
    let flushTimer: NodeJS.Timeout | undefined;
    const update = async (to: JobState, patch: Partial<JobRecord> = {}) => {
      job.record = transition(job.record, to, { ...patch, lineCount: job.log.length });
      await saveRecord(job.record).catch((error) =>
        job.log.append(`Could not save the job record: ${error.message}`),
      );
      events.emit('jobUpdated', job.record);
    };
    const flushLog = () => persist(jobLogKey(job.record.clientId, job.record.id), job.log.lines().join('\n'));
    try {
      try {
        release = await slots.acquire(key, job.cancel.signal);
      } catch {
        await update('cancelled', { error: 'Cancelled before it started.' });
        return job.record;
      }
      await update('running');
      flushTimer = setInterval(() => void flushLog().catch(() => undefined), logFlushMs);
      try {
        const patch = await runSteps(job);
        if (job.cancel.signal.aborted || job.force.signal.aborted) {
          await update('cancelled', { ...patch, error: 'Cancelled.' });
        } else {
          if (job.record.kind !== 'plan' && job.record.target.kind === 'service') {
            const { clientId, serviceId } = job.record.target;
            await recordStatus(clientId, serviceId, {
              status: 'compliant',
              checkedAt: new Date().toISOString(),
              summary: undefined,
              error: undefined,
              source: 'apply',
            });
          }
          await update('succeeded', patch);
        }
      } catch (error) {
        const cancelled =
          job.cancel.signal.aborted ||
          job.force.signal.aborted ||
          (error instanceof TofuError && error.isCanceled) ||
          (error as SpawnitError).code === 'CANCELLED';
        const message = (error as Error).message;
        job.log.append(cancelled ? `Cancelled: ${message}` : `Error: ${message}`);
        const patch = {
          ...((error as { patch?: Partial<JobRecord> }).patch ?? {}),
          ...(await afterFailure(job)),
        };
        await update(cancelled ? 'cancelled' : 'failed', { ...patch, error: message });
      }
      return job.record;
    } finally {
      clearInterval(flushTimer);
      // A state push or a failed step may have left the clear tfvars behind; the slot is still held.
      await removeClearTfvars(workdirOf(ctx.workdirRoot, job.record.target)).catch(() => undefined);
      release?.();
      job.log.close();
      await flushLog().catch(() => undefined);
      await store.deleteKeys([`${ACTIVE_PREFIX}${job.record.id}`]).catch(() => undefined);
      running.delete(job.record.id);
    }
  }

  function queuedOn(key: string): number {
    let count = reserved.get(key) ?? 0;
    for (const job of running.values()) {
      if (job.record.state === 'queued' && targetKeyOf(job.record.target) === key) count += 1;
    }
    return count;
  }

  /** Holds a place in the target's queue, or refuses: a user cannot pile up runs on one target. */
  function reserveQueuePlace(ref: TargetRef): () => void {
    const key = targetKeyOf(ref);
    const queued = queuedOn(key);
    if (queued >= maxQueued) {
      throw new QueueFullError(
        `The ${describeTarget(ref)} already has ${queued} jobs waiting, the most allowed (SPAWNIT_MAX_QUEUED_JOBS_PER_TARGET=${maxQueued}): wait for them to run, or cancel one.`,
        maxQueued,
      );
    }
    reserved.set(key, (reserved.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
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
    const unreserve = reserveQueuePlace(ref);
    try {
      return await enqueueReserved(kind, ref, extra);
    } finally {
      unreserve();
    }
  }

  async function enqueueReserved(
    kind: JobKind,
    ref: TargetRef,
    extra: { destroy?: boolean; planId?: string; planJobId?: string },
  ): Promise<JobRecord> {
    await retryUnsaved();
    const record = newJob({ id: randomUUID(), kind, trigger: 'user', target: ref, ...extra });
    const log = new JobLog({
      onLine: (line) => events.emit('logLine', { jobId: record.id, clientId: record.clientId, line }),
    });
    log.append(
      `Job ${record.id}: ${kind}${extra.destroy && kind === 'plan' ? ' (destroy)' : ''} of ${describeTarget(ref)}, queued.`,
    );
    const job: Running = {
      record,
      log,
      cancel: new AbortController(),
      force: new AbortController(),
      done: Promise.resolve(record),
    };
    await store.putJson(`${ACTIVE_PREFIX}${record.id}`, {
      jobId: record.id,
      clientId: record.clientId,
      host: hostname(),
    });
    await saveRecord(record);
    running.set(record.id, job);
    events.emit('jobUpdated', record);
    job.done = execute(job);
    return record;
  }

  async function getJob(clientId: string, jobId: string): Promise<JobRecord | undefined> {
    if (typeof jobId !== 'string' || !UUID.test(jobId)) return undefined;
    const live = running.get(jobId);
    if (live) return live.record.clientId === clientId ? live.record : undefined;
    return (await index.jobs([{ clientId, jobId }]))[0];
  }

  async function ensureExists(ref: TargetRef) {
    if (!(await store.get(tfvarsKey(ref)))) throw new NotFoundError(`${describeTarget(ref)} does not exist.`);
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

  return {
    events,
    slots,
    async plan(ref, planOptions = {}) {
      await ensureExists(ref);
      if (planOptions.destroy) await destroyGuard(ref);
      return enqueue('plan', ref, { destroy: planOptions.destroy ?? false });
    },
    async apply(ref, planJobId) {
      await ensureExists(ref);
      const planJob = await getJob(ref.clientId, planJobId);
      if (planJob?.kind !== 'plan' || targetKeyOf(planJob.target) !== targetKeyOf(ref)) {
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
      await saveRecord(consumed);
      events.emit('jobUpdated', consumed);
      return applyJob;
    },
    async destroy(ref) {
      await ensureExists(ref);
      await destroyGuard(ref);
      return enqueue('destroy', ref);
    },
    async cancel(clientId, jobId, cancelOptions = {}) {
      const job = running.get(jobId);
      // A job that just ended stays in `running` until its log is saved: it is past, not cancellable.
      if (!job || job.record.clientId !== clientId || isTerminal(job.record.state)) {
        const past = await getJob(clientId, jobId);
        if (!past) throw new NotFoundError(`Job ${jobId} does not exist.`);
        throw new ConflictError(
          `Job ${jobId} is ${past.state}; only a queued or running job can be cancelled.`,
        );
      }
      job.log.append(
        cancelOptions.force
          ? 'Cancel requested: killing tofu now.'
          : 'Cancel requested: interrupting tofu (one signal).',
      );
      if (cancelOptions.force) job.force.abort();
      job.cancel.abort();
      return job.record;
    },
    getJob,
    async deleteTarget(ref) {
      const key = targetKeyOf(ref);
      const jobsOfTarget = [...running.values()].filter((job) => targetKeyOf(job.record.target) === key);
      if (jobsOfTarget.some((job) => !isTerminal(job.record.state))) {
        throw new ConflictError(
          `${describeTarget(ref)} has a job queued or running; wait for it or cancel it, then delete.`,
        );
      }
      // A job that just ended may still be writing its log: let it finish, so nothing is written back after.
      await Promise.allSettled(jobsOfTarget.map((job) => job.done));
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
      const jobs = await this.listJobs(ref.clientId, { target: ref });
      await store.deleteKeys(
        jobs.flatMap((job) => [jobKey(ref.clientId, job.id), jobLogKey(ref.clientId, job.id)]),
      );
      await index.removeJobs(jobs.map((job) => ({ clientId: ref.clientId, jobId: job.id })));
      await deleteConfig();
      return jobs.length;
    },
    async listJobs(clientId, filter = {}) {
      clientPrefix(clientId);
      return index.listJobs(clientId, filter);
    },
    async *followLog(clientId, jobId, fromLine = 0, signal) {
      const live = running.get(jobId);
      if (live && live.record.clientId === clientId) {
        yield* live.log.follow(fromLine, signal);
        return;
      }
      const record = await getJob(clientId, jobId);
      if (!record) throw new NotFoundError(`Job ${jobId} does not exist.`);
      const text = (await store.get(jobLogKey(clientId, jobId)))?.body.toString('utf8') ?? '';
      const log = new JobLog({ initial: text === '' ? [] : text.split('\n'), closed: true });
      yield* log.follow(fromLine, signal);
    },
    async readLog(clientId, jobId, fromLine = 0) {
      const from = Math.max(0, fromLine);
      const live = running.get(jobId);
      let lines: string[];
      if (live && live.record.clientId === clientId) lines = live.log.lines(from);
      else {
        if (!(await getJob(clientId, jobId))) throw new NotFoundError(`Job ${jobId} does not exist.`);
        const text = (await store.get(jobLogKey(clientId, jobId)))?.body.toString('utf8') ?? '';
        lines = (text === '' ? [] : text.split('\n')).slice(from);
      }
      return lines.map((text, i) => ({ n: from + i, text }));
    },
    async waitForJob(clientId, jobId) {
      const live = running.get(jobId);
      if (live && live.record.clientId === clientId) return live.done;
      const record = await getJob(clientId, jobId);
      if (!record) throw new NotFoundError(`Job ${jobId} does not exist.`);
      return record;
    },
    serviceStatus: loadStatus,
    recordStatus,
    async forceUnlock(ref, lockId) {
      const key = targetKeyOf(ref);
      if (slots.isBusy(key)) {
        throw new ConflictError(
          `A run of SpawnIt holds ${describeTarget(ref)} now; the lock is in use, not stale.`,
        );
      }
      const release = await slots.acquire(key);
      try {
        const target = await engine.resolve(ref);
        const lock = await readLock(store, target.stateKey);
        if (!lock) throw new NotFoundError(`${describeTarget(ref)} has no lock in the backend.`);
        if (lock.id !== lockId) {
          throw new ConflictError(
            `The lock of ${describeTarget(ref)} is ${lock.id}, not ${lockId}; check it again before forcing it.`,
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
    async recover() {
      await retryUnsaved();
      const recovered: JobRecord[] = [];
      for (const { key } of await store.list(ACTIVE_PREFIX)) {
        const marker = await store.getJson<ActiveMarker>(key).catch(() => undefined);
        const record =
          marker &&
          (await store.getJson<JobRecord>(jobKey(marker.clientId, marker.jobId)).catch(() => undefined));
        if (!record || running.has(record.id)) continue;
        if (marker?.pid && marker.host === hostname() && marker.bin) await stopOrphan(marker.pid, marker.bin);
        let patch: Partial<JobRecord> = {
          error: 'SpawnIt stopped while this job was running; it was interrupted.',
        };
        const target = await engine.resolve(record.target).catch(() => undefined);
        if (target) {
          const kept = await collectErroredState(
            target.workdir,
            recoveryDirOf(dataDir, record.target),
            record.id,
          );
          if (kept) {
            try {
              await pushPendingStates(ctx, target, recoveryDirOf(dataDir, record.target));
            } catch (error) {
              events.emit('warning', (error as Error).message);
            }
          }
          const lock = await readLock(store, target.stateKey).catch(() => undefined);
          if (lock) {
            patch = { ...patch, lock };
            events.emit('lockFound', { target: record.target, lock, jobId: record.id });
          }
        }
        const updated = isTerminal(record.state)
          ? { ...record, ...patch }
          : transition(record, 'interrupted', patch);
        await saveRecord(updated);
        await store.deleteKeys([key]);
        events.emit('jobUpdated', updated);
        recovered.push(updated);
      }
      return recovered;
    },
    activeJobs: () => [...running.values()].map((j) => j.record),
    async shutdown() {
      const jobs = [...running.values()];
      for (const job of jobs) job.cancel.abort();
      await Promise.allSettled(jobs.map((j) => j.done));
    },
  };
}
