import {
  type Engine,
  type JobRecord,
  type NetworkConfig,
  type Operations,
  type ProviderName,
  type ServiceConfig,
  stateKey,
  type TargetRef,
  targetPrefix,
} from '@spawnit/engine';
import DataLoader from 'dataloader';

/**
 * Reads of one operation, batched and remembered: a list nested in a list (jobs -> service -> jobs) reads
 * each service, network and job list once, however many times the query names it.
 */
export interface Loaders {
  service: DataLoader<{ clientId: string; serviceId: string }, ServiceConfig | undefined, string>;
  network: DataLoader<
    { clientId: string; provider: ProviderName; networkName: string },
    NetworkConfig | undefined,
    string
  >;
  job: DataLoader<{ clientId: string; jobId: string }, JobRecord | undefined, string>;
  /** Every job of a client, newest first; filtered in memory for one target (see `loadJobsOf`). */
  jobsOf: DataLoader<string, JobRecord[], string>;
  /** Every service of a client. */
  servicesOf: DataLoader<string, ServiceConfig[], string>;
  /** The state file of a service or network (its resources and outputs), as stored. */
  state: DataLoader<TargetRef, unknown, string>;
}

/** The jobs of one service or network, newest first, from the client's list read once per operation. */
export async function loadJobsOf(loaders: Loaders, target: TargetRef): Promise<JobRecord[]> {
  const key = targetPrefix(target);
  return (await loaders.jobsOf.load(target.clientId)).filter((job) => targetPrefix(job.target) === key);
}

export interface LoaderOptions {
  /**
   * Remember results for the whole operation. Off for subscriptions, whose context lives as long as they do:
   * each event must see fresh records.
   * @default true
   */
  cache?: boolean;
  /** Aborted at the operation's deadline: no new read starts after it. */
  signal?: AbortSignal;
}

/** One loader per kind of record, for one operation. */
export function createLoaders(
  deps: { engine: Engine; operations: Operations },
  options: LoaderOptions = {},
): Loaders {
  const { engine, operations } = deps;
  const { signal, cache = true } = options;
  // Each key is read on its own: the store has no batch read, and one failure must fail only its key.
  const each =
    <K, V>(read: (key: K) => Promise<V>) =>
    async (keys: readonly K[]): Promise<(V | Error)[]> => {
      signal?.throwIfAborted();
      return Promise.all(keys.map((key) => read(key).catch((error: unknown) => error as Error)));
    };
  return {
    service: new DataLoader(
      each((ref) => engine.getService(ref)),
      { cache, cacheKeyFn: (ref) => `${ref.clientId}/${ref.serviceId}` },
    ),
    network: new DataLoader(
      each((ref) => engine.getNetwork(ref)),
      { cache, cacheKeyFn: (ref) => `${ref.clientId}/${ref.provider}/${ref.networkName}` },
    ),
    job: new DataLoader(
      each((ref) => operations.getJob(ref.clientId, ref.jobId)),
      { cache, cacheKeyFn: (ref) => `${ref.clientId}/${ref.jobId}` },
    ),
    jobsOf: new DataLoader(
      each((clientId: string) => operations.listJobs(clientId)),
      { cache },
    ),
    servicesOf: new DataLoader(
      each((clientId: string) => engine.listServices(clientId)),
      { cache },
    ),
    state: new DataLoader(
      // Through the engine: states are encrypted at rest, and it decrypts them in process.
      each((target: TargetRef) => engine.readState(target)),
      { cache, cacheKeyFn: stateKey },
    ),
  };
}
