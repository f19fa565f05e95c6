import { access, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../engine.js';
import { SpawnitError } from '../errors.js';
import type { LockInfo } from '../job/job.js';
import type { RunContext, RunHooks } from '../runner/run-context.js';
import type { TargetRef } from '../store/keys.js';
import { prepareWorkdir } from '../workdir/prepare-workdir.js';
import { type ResolvedTarget, workdirOf } from '../workdir/resolve-target.js';
import { isOwnLock, readLock } from './locks.js';
import type { KeptStates } from './ports.js';

/** A state tofu could not save to S3 is kept here until it is pushed: never in a deletable workdir. */
export function recoveryDirOf(dataDir: string, ref: TargetRef): string {
  return ref.kind === 'service'
    ? path.join(dataDir, 'recovery', ref.clientId, 'services', ref.serviceId)
    : path.join(dataDir, 'recovery', ref.clientId, 'networks', ref.provider, ref.networkName);
}

export class StateBlockedError extends SpawnitError {
  readonly file: string;
  constructor(message: string, file: string, options: { cause?: unknown } = {}) {
    super('CONFLICT', message, options);
    this.file = file;
  }
}

/** Moves `errored.tfstate` (written by tofu when it could not save to S3) out of the workdir. */
export async function collectErroredState(
  workdir: string,
  recoveryDir: string,
  jobId: string,
): Promise<string | undefined> {
  const errored = path.join(workdir, 'errored.tfstate');
  try {
    await access(errored);
  } catch {
    return undefined;
  }
  await mkdir(recoveryDir, { recursive: true, mode: 0o700 });
  const kept = path.join(recoveryDir, `${Date.now()}-${jobId}.tfstate`);
  await rename(errored, kept);
  return kept;
}

export async function pendingStates(recoveryDir: string): Promise<string[]> {
  try {
    return (await readdir(recoveryDir))
      .filter((name) => name.endsWith('.tfstate'))
      .sort()
      .map((name) => path.join(recoveryDir, name));
  } catch {
    return [];
  }
}

/**
 * Pushes states kept after a failed save back to S3, oldest first, releasing the lock the failed run left
 * (only a lock taken on this machine, while the caller holds the target). Throws `StateBlockedError` when
 * one cannot be pushed yet: the target must not run until it is.
 */
export async function pushPendingStates(
  ctx: RunContext,
  target: ResolvedTarget,
  recoveryDir: string,
  hooks: Pick<RunHooks, 'onLine' | 'ready'> = {},
): Promise<number> {
  const { onLine, ready } = hooks;
  const files = await pendingStates(recoveryDir);
  if (files.length === 0) return 0;
  for (const file of files) {
    try {
      const prepared = await prepareWorkdir(ctx, target, { onLine, ready });
      const lock = await readLock(ctx.store, target.stateKey);
      if (lock && isOwnLock(lock)) {
        onLine?.(`Releasing the lock ${lock.id} left by the run that could not save its state.`);
        const unlock = await ctx.run(['force-unlock', '-force', lock.id], {
          cwd: prepared.dir,
          onLine,
          ready,
        });
        if (unlock.exitCode !== 0) throw new Error(ctx.lastLines(unlock.lines));
      }
      onLine?.(`Pushing the state kept at ${file} back to S3.`);
      // `state push` reads its file as clear text (OpenTofu assumes so); tofu encrypts what it writes to S3.
      // Through stdin, so the decrypted state never touches the disk.
      const state = await ctx.decryptState(await readFile(file), `The kept state ${file}`);
      const push = await ctx.run(['state', 'push', '-'], {
        cwd: prepared.dir,
        onLine,
        ready,
        input: state,
      });
      if (push.exitCode !== 0) throw new Error(ctx.lastLines(push.lines));
      await rm(file);
    } catch (error) {
      throw new StateBlockedError(
        `The state of ${target.description} could not be saved to S3 by an earlier run and is kept at ${file}; pushing it back failed (${(error as Error).message}). Nothing runs on ${target.description} until it is pushed: SpawnIt retries before every run; check that S3 is reachable.`,
        file,
        { cause: error },
      );
    }
  }
  return files.length;
}

/**
 * After a run that ended badly, or at start after a crash: moves tofu's `errored.tfstate` aside, pushes it
 * back to S3, and reads the lock the run may have left. One path for a failed job and for a restart.
 */
export async function reconcileTarget(
  engine: Engine,
  dataDir: string,
  ref: TargetRef,
  jobId: string,
  report: { onLine: (line: string) => void; onProblem: (message: string) => void },
  shared?: KeptStates,
): Promise<LockInfo | undefined> {
  const recoveryDir = recoveryDirOf(dataDir, ref);
  // Found from the ids alone: S3 may be what failed.
  const kept = await collectErroredState(workdirOf(engine.runContext.workdirRoot, ref), recoveryDir, jobId);
  if (kept) {
    report.onLine(
      `Tofu could not save the state to S3; it is kept at ${kept} and will be pushed back before the next run.`,
    );
    // Before anything else: this machine may be gone before the next run of the target.
    await shared?.share(ref, kept).catch((error: Error) => report.onProblem(error.message));
  }
  const target = await engine.resolve(ref).catch(() => undefined);
  if (!target) return undefined;
  if (kept) {
    try {
      await pushPendingStates(engine.runContext, target, recoveryDir, { onLine: report.onLine });
      report.onLine('The state was pushed back to S3: nothing was lost.');
    } catch (error) {
      report.onProblem((error as Error).message);
    }
    await shared?.settle(ref, recoveryDir).catch(() => undefined);
  }
  return readLock(engine.store, target.stateKey).catch(() => undefined);
}
