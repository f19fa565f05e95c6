import type { JobRecord } from '../job/job.js';
import type { LogLine } from '../job/job-log.js';
import type { TargetRef } from '../store/keys.js';
import type { EngineEvents } from './events.js';

/**
 * The seams between the job service (what the API calls), the worker (what runs tofu) and what they share.
 * Today each has an in-process adapter; a shared database can implement the same ports so API processes and
 * workers run apart (issue 11, step 2).
 */

/** Where jobs live: records, their logs, and the markers of unfinished ones. */
export interface JobStore {
  /**
   * Saves a record (the index first, so listings see it even while S3 refuses the write). `final`: the job
   * ended, and its log is saved with it (a short log never saved before goes inside the record: one write,
   * and the record and its log land together).
   */
  save(record: JobRecord, options?: { final?: boolean }): Promise<void>;
  /** Updates what listings show without writing S3: progress that changes many times a second. */
  touch(record: JobRecord): Promise<void>;
  get(clientId: string, jobId: string): Promise<JobRecord | undefined>;
  /** A client's jobs, newest first: the cost follows `limit`, not the history's length. */
  list(clientId: string, filter?: { target?: TargetRef; limit?: number }): Promise<JobRecord[]>;
  /** Deletes records and logs. */
  remove(clientId: string, jobIds: readonly string[]): Promise<void>;
  /** Opens a job's live log: lines are numbered, published and saved now and then until `closeLog`. */
  openLog(record: JobRecord, onLine: (line: LogLine) => void): LiveLog;
  /**
   * Lines from `fromLine`, then live ones while the job runs, in batches as they come (never empty); ends when
   * its log is closed.
   */
  followLogBatches(
    clientId: string,
    jobId: string,
    fromLine: number,
    signal?: AbortSignal,
  ): AsyncGenerator<LogLine[]>;
  /** The lines written so far from `fromLine`. */
  readLog(clientId: string, jobId: string, fromLine: number): Promise<string[]>;
  /** Marks a job unfinished, with its record, so a restart can find it and record how it ended. */
  markActive(record: JobRecord): Promise<void>;
  clearActive(jobId: string): Promise<void>;
  /** Unfinished jobs a crash left, with their markers. */
  listActive(): Promise<{ marker: ActiveMarker; record: JobRecord | undefined }[]>;
  /** Writes what an S3 outage kept back. */
  retryUnsaved(): Promise<void>;
}

/** A running job's log, as its worker writes it. */
export interface LiveLog {
  readonly length: number;
  append(text: string): void;
  /** Saves the lines written so far; resolves once saved (or the save failed). */
  save(): Promise<void>;
  /** Ends the log for followers and saves what `save` has not. */
  close(): Promise<void>;
}

export interface ActiveMarker {
  jobId: string;
  clientId: string;
  host: string;
  /** Its tofu's pid and binary, in markers written before SpawnIt kept them on the machine's disk. */
  pid?: number;
  bin?: string;
  /** The record when marked: a queued job's only copy in S3 until its worker saves it. */
  record?: JobRecord;
}

export type EventName = keyof EngineEvents;
export type Unsubscribe = () => void;

/** Everything that happens to jobs and services, for whoever listens: the API, the drift loop, the worker. */
export interface EventBus {
  publish<E extends EventName>(event: E, ...args: EngineEvents[E]): void;
  subscribe<E extends EventName>(event: E, listener: (...args: EngineEvents[E]) => void): Unsubscribe;
}

export type Release = () => void;

/**
 * One run at a time per target (service or network), in the order asked. A drift plan holds a target as
 * preemptible: a user's run asking for it interrupts the plan rather than waiting for it.
 */
export interface TargetLock {
  /** Waits for the target (in order of arrival), interrupting a drift plan that holds it. */
  acquire(key: string, signal?: AbortSignal): Promise<Release>;
  /** Takes the target only when nobody holds or waits for it; `onPreempt` is called if a user run wants it. */
  tryAcquirePreemptible(key: string, onPreempt: () => void): Release | undefined;
  /** True while a run holds the target or waits for it. */
  isBusy(key: string): boolean;
  /** How many runs wait for the target. */
  queueLength(key: string): number;
}

/**
 * Where a state tofu could not save to S3 is kept besides this machine's disk, so whichever worker runs the
 * target next pushes it back. In one process the disk is enough: no adapter.
 */
export interface KeptStates {
  /** Copies a kept state file where every worker finds it. */
  share(ref: TargetRef, file: string): Promise<void>;
  /** Brings the target's kept states that are not on this machine into `dir`. */
  fetch(ref: TargetRef, dir: string): Promise<void>;
  /** Forgets those no longer in `dir` (pushed back to S3). */
  settle(ref: TargetRef, dir: string): Promise<void>;
}

/** Where queued jobs wait for a worker: in process, the worker itself; with PostgreSQL, graphile-worker. */
export interface JobQueue {
  /**
   * Hands a queued job over; it runs when its target is free. `recorded` settles once the job is in S3 (its
   * marker): until then the job may get ready (take its target, read its configuration) but runs no tofu,
   * and if it fails the job fails without running.
   */
  push(record: JobRecord, recorded?: Promise<void>): Promise<void>;
  /** Jobs of the target handed over and not started yet. */
  queued(targetKey: string): Promise<number>;
  /** Remembers a cancel for a job no worker holds yet, so whichever takes it ends it at once. */
  cancelQueued?(record: JobRecord): Promise<void>;
}
