import type { JobRecord, LockInfo } from '../job/job.js';
import type { LogLine } from '../job/job-log.js';
import type { PlanStatus } from '../runner/plan.js';
import type { PlanSummary } from '../runner/plan-summary.js';
import type { TargetRef } from '../store/keys.js';

/** A service's last known status, from a user's plan or the drift loop. */
export interface ServiceStatus {
  status: PlanStatus;
  checkedAt: string;
  /** What changed, when `drifted`. */
  summary: PlanSummary | undefined;
  error: string | undefined;
  /** What found it: a user's plan job or the drift loop. */
  source: 'job' | 'drift' | 'apply';
}

export interface EngineEvents {
  /** A job changed state (or its summary/lock changed). */
  jobUpdated: [job: JobRecord];
  /** A job wrote a line. */
  logLine: [event: { jobId: string; clientId: string; line: LogLine }];
  /** A service's status changed (only on change). */
  serviceStatus: [event: { clientId: string; serviceId: string; status: ServiceStatus }];
  /** A lock was found left in the backend. */
  lockFound: [event: { target: TargetRef; lock: LockInfo; jobId: string | undefined }];
  /** Something an operator must know (e.g. the store ignores conditional writes). */
  warning: [message: string];
  /** Lines of a job's log were saved where every process reads them (the PostgreSQL mode). */
  logWritten: [event: { clientId: string; jobId: string; count: number; closed: boolean }];
  /** Someone asked to stop a job; whichever worker runs it stops it. */
  cancelRequested: [event: { clientId: string; jobId: string; force: boolean }];
}
