import type { JobKind, JobState } from './api-types';

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
 */
export function describeNextStep(job: {
  kind: JobKind;
  destroy: boolean;
  targetKind: 'SERVICE' | 'NETWORK';
}): FailureNext {
  if (job.kind === 'DESTROY' || (job.kind === 'PLAN' && job.destroy)) {
    return {
      advice:
        job.kind === 'DESTROY'
          ? 'Part of the destroy may have run: the state keeps what was removed. Fix what the message says, then destroy again to remove the rest.'
          : 'Nothing was changed. Fix what the message says, then destroy again.',
      retry: 'destroy',
      retryLabel: 'Destroy again',
    };
  }
  if (job.kind === 'APPLY') {
    return {
      advice:
        'Part of the apply may have run: the state keeps what was done. Fix what the message says, then plan again to see what is left and apply it.',
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
