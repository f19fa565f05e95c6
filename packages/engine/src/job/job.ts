import { SpawnitError } from '../errors.js';
import type { JobProgress } from '../runner/apply-events.js';
import type { PlanStatus } from '../runner/plan.js';
import type { PlanSummary } from '../runner/plan-summary.js';
import type { TargetRef } from '../store/keys.js';

export type JobKind = 'plan' | 'apply' | 'destroy';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
/** `user`: asked for by someone; `drift`: the drift loop's periodic plan (never kept as history). */
export type JobTrigger = 'user' | 'drift';

/** A state lock found in the backend: what tofu wrote in `<state key>.tflock`. */
export interface LockInfo {
  id: string;
  operation: string | undefined;
  who: string | undefined;
  created: string | undefined;
}

/** A job as stored in S3 and shown to users. */
export interface JobRecord {
  id: string;
  kind: JobKind;
  trigger: JobTrigger;
  /** The owner: the client whose target this is. */
  clientId: string;
  target: TargetRef;
  state: JobState;
  /** Plan of the destruction (plan jobs), or a destroy job. */
  destroy: boolean;
  createdAt: string;
  startedAt: string | undefined;
  finishedAt: string | undefined;
  /** The saved plan a plan job made, or the one an apply job applies. */
  planId: string | undefined;
  /** For an apply job: the plan job whose plan it applies. */
  planJobId: string | undefined;
  planStatus: PlanStatus | undefined;
  summary: PlanSummary | undefined;
  /** Why it failed, for the user. */
  error: string | undefined;
  /** A lock the job left in the backend (after a forced kill or a crash). */
  lock: LockInfo | undefined;
  /** Number of log lines. */
  lineCount: number;
  /** For a plan job: the apply job that took its plan (a plan is applied once). */
  appliedBy?: string | undefined;
  /** For an apply or destroy: resources done of those planned, as tofu reports them. */
  progress?: JobProgress | undefined;
}

export const TERMINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

const ALLOWED: Record<JobState, readonly JobState[]> = {
  // Failed while queued: it could not be queued (S3 refused its marker), so it never ran.
  queued: ['running', 'failed', 'cancelled', 'interrupted'],
  running: ['succeeded', 'failed', 'cancelled', 'interrupted'],
  succeeded: [],
  failed: [],
  cancelled: [],
  interrupted: [],
};

export class InvalidTransitionError extends SpawnitError {
  readonly from: JobState;
  readonly to: JobState;
  constructor(job: Pick<JobRecord, 'id' | 'state'>, to: JobState) {
    super('INVALID_TRANSITION', `Job ${job.id} is ${job.state} and cannot become ${to}.`);
    this.from = job.state;
    this.to = to;
  }
}

export const isTerminal = (state: JobState) => TERMINAL_STATES.includes(state);

/** Moves a job to a new state, stamping the times; refuses moves the state machine does not allow. */
export function transition(job: JobRecord, to: JobState, patch: Partial<JobRecord> = {}): JobRecord {
  if (!ALLOWED[job.state].includes(to)) throw new InvalidTransitionError(job, to);
  const now = new Date().toISOString();
  return {
    ...job,
    ...patch,
    state: to,
    startedAt: to === 'running' ? now : job.startedAt,
    finishedAt: isTerminal(to) ? now : job.finishedAt,
  };
}

export function newJob(init: {
  id: string;
  kind: JobKind;
  trigger: JobTrigger;
  target: TargetRef;
  destroy?: boolean;
  planId?: string;
  planJobId?: string;
}): JobRecord {
  return {
    id: init.id,
    kind: init.kind,
    trigger: init.trigger,
    clientId: init.target.clientId,
    target: init.target,
    state: 'queued',
    destroy: init.destroy ?? init.kind === 'destroy',
    createdAt: new Date().toISOString(),
    startedAt: undefined,
    finishedAt: undefined,
    planId: init.planId,
    planJobId: init.planJobId,
    planStatus: undefined,
    summary: undefined,
    error: undefined,
    lock: undefined,
    lineCount: 0,
  };
}

/** A job record as stored in S3: an ended job's short log may be inside it (see `JobStore.save`). */
export type StoredJobRecord = JobRecord & { log?: string[] };

/** The record without the log it may carry: what listings and events hold. */
export function withoutLog(stored: StoredJobRecord): JobRecord {
  const { log: _log, ...record } = stored;
  return record;
}
