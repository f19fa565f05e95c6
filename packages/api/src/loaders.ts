import {
  type Engine,
  type JobKey,
  type JobRecord,
  type NetworkConfig,
  type NetworkEntry,
  type NetworkKey,
  type Operations,
  type ServiceConfig,
  type ServiceEntry,
  type ServiceKey,
  type ServiceStatus,
  type TargetRef,
  targetKeyOf,
} from '@spawnit/engine';
import DataLoader from 'dataloader';

/**
 * Reads of one operation, batched and remembered. Listings and everything nested in them come from the
 * engine's index, one call per kind per operation however many parents ask; only what the index does not
 * hold (parameters, which stay sealed in S3, and states' outputs) is read from the store, per key.
 */
export interface Loaders {
  service: DataLoader<ServiceKey, ServiceEntry | undefined, string>;
  network: DataLoader<NetworkKey, NetworkEntry | undefined, string>;
  /** A service's full configuration, parameters included: read from S3. */
  serviceConfig: DataLoader<ServiceKey, ServiceConfig | undefined, string>;
  /** A network's full configuration, parameters included: read from S3. */
  networkConfig: DataLoader<NetworkKey, NetworkConfig | undefined, string>;
  job: DataLoader<JobKey, JobRecord | undefined, string>;
  /** The jobs of a service or network, newest first. */
  jobsOf: DataLoader<TargetRef, JobRecord[], string>;
  /** The latest plan job of a service or network that is not a plan of the destruction. */
  lastPlan: DataLoader<TargetRef, JobRecord | undefined, string>;
  status: DataLoader<ServiceKey, ServiceStatus | undefined, string>;
  /** Whether a target's state holds resources, as the index last saw it. */
  deployed: DataLoader<TargetRef, boolean, string>;
  /** Every service of a client. */
  servicesOf: DataLoader<string, ServiceEntry[], string>;
  /** Every network of a client. */
  networksOf: DataLoader<string, NetworkEntry[], string>;
  /** The state file of a service or network (its resources and outputs), as stored. */
  state: DataLoader<TargetRef, unknown, string>;
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

const serviceKeyOf = (k: ServiceKey) => `${k.clientId}/${k.serviceId}`;
const networkKeyOf = (k: NetworkKey) => `${k.clientId}/${k.provider}/${k.networkName}`;

/** One loader per kind of record, for one operation. */
export function createLoaders(
  deps: { engine: Engine; operations: Operations },
  options: LoaderOptions = {},
): Loaders {
  const { engine } = deps;
  const { index } = engine;
  const { signal, cache = true } = options;
  // One index call for the whole batch: its cost does not grow with the number of parents.
  const batch =
    <K, V>(read: (keys: readonly K[]) => Promise<V[]>) =>
    async (keys: readonly K[]): Promise<V[]> => {
      signal?.throwIfAborted();
      return read(keys);
    };
  // Each key is read on its own: the store has no batch read, and one failure must fail only its key.
  const each =
    <K, V>(read: (key: K) => Promise<V>) =>
    async (keys: readonly K[]): Promise<(V | Error)[]> => {
      signal?.throwIfAborted();
      return Promise.all(keys.map((key) => read(key).catch((error: unknown) => error as Error)));
    };
  return {
    service: new DataLoader(
      batch((keys) => index.services(keys)),
      { cache, cacheKeyFn: serviceKeyOf },
    ),
    network: new DataLoader(
      batch((keys) => index.networks(keys)),
      { cache, cacheKeyFn: networkKeyOf },
    ),
    serviceConfig: new DataLoader(
      each((ref) => engine.getService(ref)),
      { cache, cacheKeyFn: serviceKeyOf },
    ),
    networkConfig: new DataLoader(
      each((ref) => engine.getNetwork(ref)),
      { cache, cacheKeyFn: networkKeyOf },
    ),
    job: new DataLoader(
      batch((keys) => index.jobs(keys)),
      { cache, cacheKeyFn: (ref) => `${ref.clientId}/${ref.jobId}` },
    ),
    jobsOf: new DataLoader(
      batch((targets) => index.jobsOf(targets)),
      { cache, cacheKeyFn: targetKeyOf },
    ),
    lastPlan: new DataLoader(
      batch((targets) => index.lastPlans(targets)),
      { cache, cacheKeyFn: targetKeyOf },
    ),
    status: new DataLoader(
      batch((keys) => index.statuses(keys)),
      { cache, cacheKeyFn: serviceKeyOf },
    ),
    deployed: new DataLoader(
      batch((targets) => index.deployed(targets)),
      { cache, cacheKeyFn: targetKeyOf },
    ),
    servicesOf: new DataLoader(
      batch((clientIds) => Promise.all(clientIds.map((clientId) => index.listServices(clientId)))),
      { cache },
    ),
    networksOf: new DataLoader(
      batch((clientIds) => Promise.all(clientIds.map((clientId) => index.listNetworks(clientId)))),
      { cache },
    ),
    state: new DataLoader(
      // Through the engine: states are encrypted at rest, and it decrypts them in process.
      each((target: TargetRef) => engine.readState(target)),
      { cache, cacheKeyFn: targetKeyOf },
    ),
  };
}
