import type { JobKind, JobProgress, JobState } from './api-types';

/** What a failed job's notice offers: what to do in words, and the one action that tries again. */
export interface FailureNext {
  /** What to do, as a sentence. */
  advice: string;
  /** The retry: a new plan (a plan, or an apply whose saved plan is spent), or the destroy again. */
  retry: 'plan' | 'destroy';
  /** The retry button's words. */
  retryLabel: string;
}

/**
 * What to do after a job failed. An apply cannot run its plan twice (tofu refuses a spent plan), so its
 * retry is a fresh plan of what is left; a destroy is retried as a destroy, confirmed like the first one.
 * `changing`: tofu had started changing resources (the job has progress), so part of it may have run.
 */
export function describeNextStep(job: {
  kind: JobKind;
  destroy: boolean;
  targetKind: 'SERVICE' | 'NETWORK';
  changing: boolean;
}): FailureNext {
  const destroying = job.kind === 'DESTROY' || (job.kind === 'PLAN' && job.destroy);
  const ran =
    job.kind !== 'PLAN' && job.changing
      ? `Part of the ${destroying ? 'destroy' : 'apply'} may have run: the state keeps what was ${destroying ? 'removed' : 'done'}.`
      : 'Nothing was changed.';
  if (destroying) {
    return {
      advice: `${ran} Fix what the message says, then destroy again${ran.startsWith('Part') ? ' to remove the rest' : ''}.`,
      retry: 'destroy',
      retryLabel: 'Destroy again',
    };
  }
  if (job.kind === 'APPLY') {
    return {
      advice: `${ran} Fix what the message says, then plan again to see what is left and apply it.`,
      retry: 'plan',
      retryLabel: 'Plan again',
    };
  }
  return {
    advice:
      job.targetKind === 'SERVICE'
        ? 'Nothing was changed. Fix what the message says (often a setting of the service), then plan again.'
        : 'Nothing was changed. Fix what the message says, then plan again.',
    retry: 'plan',
    retryLabel: 'Plan again',
  };
}

/** A target's newest job when it failed (its jobs come newest first): its page leads with the failure. */
export function newestFailure<Job extends { state: JobState; error: string | null }>(
  jobs: readonly Job[],
): (Job & { error: string }) | undefined {
  const newest = jobs[0];
  if (!newest?.error || (newest.state !== 'FAILED' && newest.state !== 'INTERRUPTED')) return undefined;
  return newest as Job & { error: string };
}

/**
 * Whether tofu may have changed resources before the job ended: it reported progress, or SpawnIt stopped
 * mid-run (an interrupted job's last progress may not have been saved). A plan changes nothing.
 */
export function mayHaveChanged(job: {
  kind: JobKind;
  state: JobState;
  progress?: JobProgress | null | undefined;
}): boolean {
  return job.kind !== 'PLAN' && (job.progress != null || job.state === 'INTERRUPTED');
}
