import type { JobRecord } from '../job/job.js';
import type { ServiceStatus } from '../operations/events.js';
import type { NetworkConfig } from '../service/network-config.js';
import type { ServiceConfig } from '../service/service-config.js';
import type { TargetRef } from '../store/keys.js';

/** A service as listed: its configuration without the parameters (they hold secrets, and stay sealed in S3). */
export type ServiceEntry = Omit<ServiceConfig, 'params'>;
/** A network as listed, without its parameters. */
export type NetworkEntry = Omit<NetworkConfig, 'params'>;

/** The entry of a configuration: everything but its parameters. */
export function withoutParams<T extends { params: unknown }>(config: T): Omit<T, 'params'> {
  const { params: _params, ...entry } = config;
  return entry;
}

export type ServiceKey = { clientId: string; serviceId: string };
export type NetworkKey = Pick<NetworkConfig, 'clientId' | 'provider' | 'networkName'>;
export type JobKey = { clientId: string; jobId: string };
/** A plan file kept in S3 to be applied (`plans/<planId>.tfplan`), and when it was written. */
export type SavedPlan = { planId: string; savedAt: string };

/** Everything an index holds, as read from S3 at start (see `scanStore`). */
export interface IndexSnapshot {
  services: ServiceEntry[];
  networks: NetworkEntry[];
  statuses: { ref: ServiceKey; status: ServiceStatus }[];
  /** Targets whose state holds resources. */
  deployed: TargetRef[];
  jobs: JobRecord[];
  /** The plan files in S3, by target: what an apply retires and what expires, without listing S3. */
  savedPlans: { target: TargetRef; plan: SavedPlan }[];
}

/** A snapshot of an empty bucket. */
export const emptyIndexSnapshot = (): IndexSnapshot => ({
  services: [],
  networks: [],
  statuses: [],
  deployed: [],
  jobs: [],
  savedPlans: [],
});

export interface ListJobsOptions {
  /** Only the jobs of this service or network. */
  target?: TargetRef;
  /** At most this many, newest first. @default all */
  limit?: number;
}

/**
 * The index listings are answered from, kept up to date on every write by the engine and the operations,
 * and rebuilt from S3 (the source of truth) when empty. A port: the in-process adapter is
 * `createMemoryIndex`; the scaled-out mode puts the same calls on PostgreSQL. Reads take many keys at once,
 * so a request reads each kind once, however many parents ask.
 */
export interface ListingIndex {
  putService(entry: ServiceEntry): Promise<void>;
  putNetwork(entry: NetworkEntry): Promise<void>;
  /**
   * Forgets a deleted service or network: its configuration, status, deployed flag and saved plans (not its
   * jobs).
   */
  removeTarget(ref: TargetRef): Promise<void>;
  setDeployed(ref: TargetRef, deployed: boolean): Promise<void>;
  setStatus(ref: ServiceKey, status: ServiceStatus): Promise<void>;
  putJob(record: JobRecord): Promise<void>;
  removeJobs(keys: readonly JobKey[]): Promise<void>;
  putSavedPlan(target: TargetRef, plan: SavedPlan): Promise<void>;
  removeSavedPlans(target: TargetRef, planIds: readonly string[]): Promise<void>;

  /** Every client with anything in the index. */
  clients(): Promise<string[]>;
  listServices(clientId: string): Promise<ServiceEntry[]>;
  listNetworks(clientId: string): Promise<NetworkEntry[]>;
  services(keys: readonly ServiceKey[]): Promise<(ServiceEntry | undefined)[]>;
  networks(keys: readonly NetworkKey[]): Promise<(NetworkEntry | undefined)[]>;
  statuses(keys: readonly ServiceKey[]): Promise<(ServiceStatus | undefined)[]>;
  deployed(targets: readonly TargetRef[]): Promise<boolean[]>;
  jobs(keys: readonly JobKey[]): Promise<(JobRecord | undefined)[]>;
  /** A client's jobs, newest first: the cost depends on `limit`, not on the length of the history. */
  listJobs(clientId: string, options?: ListJobsOptions): Promise<JobRecord[]>;
  /** Each target's jobs, newest first. */
  jobsOf(targets: readonly TargetRef[], limit?: number): Promise<JobRecord[][]>;
  /** Each target's latest plan job that is not a plan of the destruction. */
  lastPlans(targets: readonly TargetRef[]): Promise<(JobRecord | undefined)[]>;
  /** The target's plan files in S3, oldest first. */
  savedPlans(target: TargetRef): Promise<SavedPlan[]>;
  /** Lets go of connections, when the adapter holds any. */
  close?(): Promise<void>;
  /**
   * Sends every write through `gate` from now on, named by what it writes (a newer write of one key may
   * replace an older one still waiting): a worker's writes then wait with its events while the database is
   * away. Only the adapter on a database has it.
   */
  writeThrough?(gate: WriteGate): void;
}

/** Runs a write now, or keeps it for later; resolves once written or kept. */
export type WriteGate = (key: string, write: () => Promise<void>) => Promise<void>;
