import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Engine } from '../../engine.js';
import { TofuError } from '../../errors.js';
import { isTerminal, type JobRecord, type JobState, transition } from '../../job/job.js';
import type { JobProgress } from '../../runner/apply-events.js';
import { describeTarget, targetPrefix } from '../../store/keys.js';
import { removeClearTfvars } from '../../workdir/prepare-workdir.js';
import { type ResolvedTarget, workdirOf } from '../../workdir/resolve-target.js';
import { CompliantNetworks } from '../network-check.js';
import type { EventBus, JobQueue, JobStore, KeptStates, LiveLog, TargetLock } from '../ports.js';
import type { ServiceStatuses } from '../service-status.js';
import { reconcileTarget } from '../state-recovery.js';
import { runningTofus } from './running-tofus.js';
import { type StepContext, type StepOutcome, stepsOf } from './steps.js';

export interface WorkerOptions {
  engine: Engine;
  jobs: JobStore;
  bus: EventBus;
  lock: TargetLock;
  statuses: ServiceStatuses;
  /** Local folder for states kept after a failed save. @default the engine's dataDir */
  dataDir?: string;
  /**
   * Whether a cancel came for a job before this worker held it (asked while it waited in a shared queue).
   * @default never: in one process, the worker holds every queued job and hears every cancel
   */
  cancelledBeforeStart?: (record: JobRecord) => Promise<boolean>;
  /** Where kept states are shared between workers. @default none: in one process the disk is enough */
  keptStates?: KeptStates;
}

/** Runs jobs: takes each one's target in turn, runs its steps, records how it ended. */
export interface Worker extends JobQueue {
  /** Jobs this worker runs or holds now. */
  active(): JobRecord[];
  /** Stops a job this worker holds (as a cancel request does); false when it holds none of that id. */
  cancel(clientId: string, jobId: string, force: boolean): boolean;
  /** Resolves when a job this worker holds ends; undefined when it holds none of that id. */
  done(jobId: string): Promise<JobRecord> | undefined;
  /** Finds jobs a crash left unfinished: marks them interrupted, reports their locks, pushes kept states. */
  recover(): Promise<JobRecord[]>;
  /** Stops taking jobs, interrupts those running (one interrupt each) and waits for them. */
  shutdown(): Promise<void>;
}

/** A job this worker holds, and what can stop it. */
interface Held {
  record: JobRecord;
  log: LiveLog;
  cancel: AbortController;
  force: AbortController;
  done: Promise<JobRecord>;
  /** Settles once the job is recorded in S3: no tofu runs before. */
  recorded: Promise<void>;
  /** The note of the last tofu it started, on this machine's disk. */
  tofuNoted?: Promise<void>;
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

const wasCancelled = (held: Held, error?: unknown) =>
  held.cancel.signal.aborted ||
  held.force.signal.aborted ||
  (error instanceof TofuError && error.isCanceled) ||
  (error as { code?: string } | undefined)?.code === 'CANCELLED';

export function createWorker(options: WorkerOptions): Worker {
  const { engine, jobs, bus, lock, statuses } = options;
  const dataDir = options.dataDir ?? engine.dataDir;
  const held = new Map<string, Held>();
  const compliantNetworks = new CompliantNetworks();

  function cancel(clientId: string, jobId: string, force: boolean): boolean {
    const job = held.get(jobId);
    if (!job || job.record.clientId !== clientId) return false;
    job.log.append(
      force ? 'Cancel requested: killing tofu now.' : 'Cancel requested: interrupting tofu (one signal).',
    );
    if (force) job.force.abort();
    job.cancel.abort();
    return true;
  }
  bus.subscribe('cancelRequested', ({ clientId, jobId, force }) => void cancel(clientId, jobId, force));

  /** The job's steps in order, until one ends it; an error thrown by a step fails (or cancels) the job. */
  async function runSteps(job: Held): Promise<StepOutcome & { next: false }> {
    // Progress lives on the record (listings see it); subscribers hear of it at most five times a second,
    // so an apply of thousands of resources does not flood them.
    let progressPending = false;
    const onProgress = (progress: JobProgress) => {
      job.record = { ...job.record, progress };
      void jobs.touch(job.record).catch(() => undefined);
      if (progressPending) return;
      progressPending = true;
      setTimeout(() => {
        progressPending = false;
        bus.publish('jobUpdated', job.record);
      }, 200);
    };
    // Its steps get ready (read its configuration, check its network's state) while its marker is written.
    const ready = job.recorded.catch((error: Error) => {
      throw new Error(`The job could not be recorded in S3, so it did not run: ${error.message}`);
    });
    // Awaited by each tofu run; a job that ends before one never looks.
    ready.catch(() => undefined);
    // Read once, when a step asks for it; a plan job starts it now, beside its first steps.
    let target: Promise<ResolvedTarget> | undefined;
    const ctx: StepContext = {
      get target() {
        if (!target) {
          target = engine.resolve(job.record.target);
          // Handled here, awaited by the step that uses it: a job that ends earlier leaves no unhandled rejection.
          target.catch(() => undefined);
        }
        return target;
      },
      engine,
      dataDir,
      lock,
      statuses,
      compliantNetworks,
      keptStates: options.keptStates,
      record: job.record,
      log: job.log,
      hooks: {
        onLine: (line) => job.log.append(line),
        // The running tofu's pid, so a restart after a crash can stop an orphan.
        onSpawn: (pid) => {
          const bin = engine.runContext.tofu.path;
          job.tofuNoted = runningTofus
            .note(dataDir, job.record.id, { pid, bin, startedAt: job.record.startedAt })
            .catch(() => undefined);
        },
        onProgress,
        ready,
        signal: job.cancel.signal,
        forceSignal: job.force.signal,
      },
    };
    let patch: Partial<JobRecord> = {};
    if (job.record.kind === 'plan') void ctx.target;
    try {
      for (const step of stepsOf(job.record)) {
        const outcome = await step.run(ctx);
        patch = { ...patch, ...outcome.patch };
        if (!outcome.next) return { ...outcome, patch };
      }
    } catch (error) {
      const message = (error as Error).message;
      return { next: false, state: wasCancelled(job, error) ? 'cancelled' : 'failed', patch, error: message };
    }
    if (wasCancelled(job)) return { next: false, state: 'cancelled', patch, error: 'Cancelled.' };
    return { next: false, state: 'succeeded', patch };
  }

  /** After a failure: the state tofu could not save and the lock it left, found and reported. */
  async function reconcile(job: Held): Promise<Partial<JobRecord>> {
    const ref = job.record.target;
    const lockInfo = await reconcileTarget(
      engine,
      dataDir,
      ref,
      job.record.id,
      { onLine: (line) => job.log.append(line), onProblem: (message) => job.log.append(message) },
      options.keptStates,
    );
    if (!lockInfo) return {};
    job.log.append(
      `The state lock ${lockInfo.id} (${lockInfo.operation ?? 'unknown operation'} by ${lockInfo.who ?? 'unknown'}) was left in the backend. Nothing else of SpawnIt runs on ${describeTarget(ref)}: release it with a force-unlock of lock ${lockInfo.id}.`,
    );
    bus.publish('lockFound', { target: ref, lock: lockInfo, jobId: job.record.id });
    return { lock: lockInfo };
  }

  async function execute(job: Held): Promise<JobRecord> {
    const save = async (to: JobState, patch: Partial<JobRecord> = {}) => {
      job.record = transition(job.record, to, { ...patch, lineCount: job.log.length });
      await jobs
        .save(job.record, { final: true })
        .catch((error) => job.log.append(`Could not save the job record: ${error.message}`));
    };
    let release: (() => void) | undefined;
    // Held already: a cancel published from now on reaches it through the bus; one asked before is stored.
    if (await options.cancelledBeforeStart?.(job.record).catch(() => false)) job.cancel.abort();
    try {
      release = await lock.acquire(targetPrefix(job.record.target), job.cancel.signal);
    } catch {
      release = undefined;
    }
    try {
      const end = release
        ? await run(job)
        : { state: 'cancelled' as const, patch: { error: 'Cancelled before it started.' } };
      // The record that says the job ended is saved with its log: a short one inside it (one write, and they
      // land together), a longer one beside it. The marker stays until both are, so a crash between them is
      // found at restart (see `recover`). The log ends for its followers after (whoever saw the log end finds
      // the job ended).
      await save(end.state, end.patch);
      await job.log.close();
    } finally {
      held.delete(job.record.id);
      // At once: whoever sees the job ended finds its target free (a drift check right after, say).
      release?.();
    }
    // Heard at once: the marker only says the job may still run, and a restart clears it for an ended job.
    bus.publish('jobUpdated', job.record);
    // A job that ended before it ran tofu may end before its marker is written: cleared after, not before.
    await job.recorded.catch(() => undefined);
    if (job.tofuNoted) {
      await job.tofuNoted;
      await runningTofus.forget(dataDir, job.record.id).catch(() => undefined);
    }
    await jobs.clearActive(job.record.id).catch(() => undefined);
    return job.record;
  }

  /** Runs a job whose target it holds; says how the job ends. */
  async function run(job: Held): Promise<{ state: JobState; patch: Partial<JobRecord> }> {
    // "Running" goes to the index (listings, other processes) while the steps start; S3 gets the record when
    // the job ends. Until then the job's marker is what a restart goes by, whatever the record says.
    job.record = transition(job.record, 'running', { lineCount: job.log.length });
    const running = jobs.touch(job.record).catch(() => undefined);
    bus.publish('jobUpdated', job.record);
    const outcome = await runSteps(job);
    await running;
    let patch = outcome.patch ?? {};
    if (outcome.state !== 'succeeded') {
      const message = outcome.error ?? 'Cancelled.';
      job.log.append(outcome.state === 'cancelled' ? `Cancelled: ${message}` : `Error: ${message}`);
      const found = await reconcile(job).catch((error: Error) => {
        job.log.append(`Could not check for a kept state or a lock: ${error.message}`);
        return {};
      });
      patch = { ...patch, ...found, error: message };
    }
    // A state push or a failed step may have left the clear tfvars behind; the target is still held.
    await removeClearTfvars(workdirOf(engine.runContext.workdirRoot, job.record.target)).catch(
      () => undefined,
    );
    return { state: outcome.state, patch };
  }

  return {
    async push(record, recorded = Promise.resolve()) {
      const log = jobs.openLog(record, (line) =>
        bus.publish('logLine', { jobId: record.id, clientId: record.clientId, line }),
      );
      log.append(
        `Job ${record.id}: ${record.kind}${record.destroy && record.kind === 'plan' ? ' (destroy)' : ''} of ${describeTarget(record.target)}, queued.`,
      );
      const job: Held = {
        record,
        log,
        cancel: new AbortController(),
        force: new AbortController(),
        done: Promise.resolve(record),
        recorded,
      };
      // Awaited by the job; a job cancelled before it runs never looks.
      recorded.catch(() => undefined);
      held.set(record.id, job);
      job.done = execute(job);
    },
    async queued(targetKey) {
      let count = 0;
      for (const job of held.values()) {
        // A cancelled one is on its way out: it frees its place at once.
        const waiting = job.record.state === 'queued' && !job.cancel.signal.aborted;
        if (waiting && targetPrefix(job.record.target) === targetKey) count += 1;
      }
      return count;
    },
    active: () => [...held.values()].map((job) => job.record),
    cancel,
    done: (jobId) => held.get(jobId)?.done,
    async recover() {
      await jobs.retryUnsaved();
      const recovered: JobRecord[] = [];
      for (const { marker, record } of await jobs.listActive()) {
        if (!record || held.has(record.id)) continue;
        if (isTerminal(record.state)) {
          // It ended, and SpawnIt stopped while writing its end: its log may lack its last lines.
          const saved = (await jobs.readLog(record.clientId, record.id, 0).catch(() => [])).length;
          if (saved < record.lineCount) {
            bus.publish(
              'warning',
              `Job ${record.id} of ${describeTarget(record.target)} ${record.state}, but SpawnIt stopped before its log was saved whole: its last ${record.lineCount - saved} of ${record.lineCount} lines are lost.`,
            );
          }
          await runningTofus.forget(dataDir, record.id).catch(() => undefined);
          await jobs.clearActive(record.id);
          recovered.push(record);
          continue;
        }
        // Its tofu, noted on this machine (a marker of an earlier version names it itself).
        const noted = await runningTofus.read(dataDir, record.id);
        const orphan =
          noted ??
          (marker.pid && marker.bin && marker.host === hostname()
            ? { pid: marker.pid, bin: marker.bin }
            : undefined);
        if (orphan) await stopOrphan(orphan.pid, orphan.bin);
        let patch: Partial<JobRecord> = {
          error: 'SpawnIt stopped while this job was running; it was interrupted.',
        };
        const lockInfo = await reconcileTarget(
          engine,
          dataDir,
          record.target,
          record.id,
          { onLine: () => undefined, onProblem: (message) => bus.publish('warning', message) },
          options.keptStates,
        );
        if (lockInfo) {
          patch = { ...patch, lock: lockInfo };
          bus.publish('lockFound', { target: record.target, lock: lockInfo, jobId: record.id });
        }
        // The marker's copy of the record is the queued one: when it started running, its tofu's note says.
        const updated = transition(
          { ...record, startedAt: record.startedAt ?? noted?.startedAt },
          'interrupted',
          patch,
        );
        await jobs.save(updated);
        await runningTofus.forget(dataDir, record.id).catch(() => undefined);
        await jobs.clearActive(record.id);
        bus.publish('jobUpdated', updated);
        recovered.push(updated);
      }
      return recovered;
    },
    async shutdown() {
      const running = [...held.values()];
      for (const job of running) job.cancel.abort();
      await Promise.allSettled(running.map((job) => job.done));
    },
  };
}
