import { type JobRecord, type StoredJobRecord, withoutLog } from '../job/job.js';
import type { ServiceStatus } from '../operations/events.js';
import { getNetwork } from '../service/network-config.js';
import { type ConfigDeps, getService, holdsResources } from '../service/service-config.js';
import { assertTargetRef, CLIENTS_PREFIX, type TargetRef } from '../store/keys.js';
import { readState } from '../store/read-state.js';
import {
  emptyIndexSnapshot,
  type IndexSnapshot,
  type NetworkEntry,
  type ServiceEntry,
  withoutParams,
} from './listing-index.js';

/** What a key under `clients/` is, from its path alone. */
type KeyKind =
  | { kind: 'config' | 'state'; target: TargetRef }
  | { kind: 'status'; target: Extract<TargetRef, { kind: 'service' }> }
  | { kind: 'job'; clientId: string; jobId: string };

const SERVICE_KEY = /^([^/]+)\/services\/([^/]+)\/(terraform\.tfvars\.json|terraform\.tfstate|status\.json)$/;
const NETWORK_KEY = /^([^/]+)\/networks\/([^/]+)\/([^/]+)\/(terraform\.tfvars\.json|terraform\.tfstate)$/;
const JOB_KEY = /^([^/]+)\/jobs\/([0-9a-f-]{36})\.json$/;
const PLAN_FILE = /^(.+\/)plans\/([0-9a-f-]{36})\.tfplan$/;

/** A saved plan's file: its target and plan id, from the key alone (never read). */
function savedPlanOf(key: string): { target: TargetRef; planId: string } | undefined {
  const found = PLAN_FILE.exec(key);
  if (!found) return undefined;
  // The target's own keys sit in the same folder: its configuration names it.
  const config = classifyKey(`${found[1]}terraform.tfvars.json`);
  return config?.kind === 'config' ? { target: config.target, planId: found[2]! } : undefined;
}

export function classifyKey(key: string): KeyKind | undefined {
  if (!key.startsWith(CLIENTS_PREFIX)) return undefined;
  const rest = key.slice(CLIENTS_PREFIX.length);
  const job = JOB_KEY.exec(rest);
  if (job) return { kind: 'job', clientId: job[1]!, jobId: job[2]! };
  let found: Exclude<KeyKind, { kind: 'job' }> | undefined;
  const service = SERVICE_KEY.exec(rest);
  const network = NETWORK_KEY.exec(rest);
  if (service) {
    const target = { kind: 'service' as const, clientId: service[1]!, serviceId: service[2]! };
    found =
      service[3] === 'status.json'
        ? { kind: 'status', target }
        : { kind: service[3] === 'terraform.tfstate' ? 'state' : 'config', target };
  } else if (network) {
    const target = {
      kind: 'network',
      clientId: network[1]!,
      provider: network[2]!,
      networkName: network[3]!,
    } as TargetRef;
    found = { kind: network[4] === 'terraform.tfstate' ? 'state' : 'config', target };
  }
  if (!found) return undefined;
  try {
    // A key whose ids SpawnIt would refuse was not written by it: not ours to list.
    assertTargetRef(found.target);
    return found;
  } catch {
    return undefined;
  }
}

/** Runs `work` on every item, at most `limit` at once. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export interface ScanOptions {
  /** Reads at once. @default 16 */
  concurrency?: number;
}

/** What the index took from one object. */
type Derived =
  | { service: ServiceEntry }
  | { network: NetworkEntry }
  | { status: ServiceStatus }
  | { deployed: boolean }
  | { job: JobRecord };

/**
 * Where the last scan leaves what it took from each object, by ETag: the next start reads only the objects
 * whose ETag changed. A cache, never the truth: lost or stale, the scan reads the bucket again.
 */
export const INDEX_SNAPSHOT_KEY = '.spawnit/index-snapshot.json';
const SNAPSHOT_FORMAT = 'spawnit-index/1';

interface SnapshotFile {
  format: string;
  objects: Record<string, { etag: string; derived: Derived }>;
}

async function readSnapshotFile(deps: ConfigDeps): Promise<SnapshotFile['objects']> {
  const file = await deps.store.getJson<SnapshotFile>(INDEX_SNAPSHOT_KEY).catch(() => undefined);
  return file?.format === SNAPSHOT_FORMAT ? file.objects : {};
}

/**
 * Reads one object and keeps what the index needs of it; undefined when it cannot be read (gone since the
 * listing, not valid JSON, sealed with a key not given...), which is neither listed nor remembered, so a
 * fixed object is read again.
 */
async function derive(deps: ConfigDeps, key: string, what: KeyKind): Promise<Derived | undefined> {
  try {
    if (what.kind === 'job') {
      const record = await deps.store.getJson<StoredJobRecord>(key);
      // An ended job's short log may be inside its record: the index keeps records, never logs.
      return record ? { job: withoutLog(record) } : undefined;
    }
    if (what.kind === 'status') {
      const status = await deps.store.getJson<ServiceStatus>(key);
      return status ? { status } : undefined;
    }
    if (what.kind === 'state') return { deployed: holdsResources(await readState(deps, what.target)) };
    if (what.target.kind === 'service') {
      const service = await getService(deps, what.target.clientId, what.target.serviceId);
      return service ? { service: withoutParams(service) } : undefined;
    }
    const t = what.target;
    const network = await getNetwork(deps, t.clientId, t.provider, t.networkName);
    return network ? { network: withoutParams(network) } : undefined;
  } catch {
    // The listings skipped an unreadable object before the index too.
    return undefined;
  }
}

/**
 * Reads what the index needs from S3: one flat listing of `clients/` (pages of 1,000 keys), then only the
 * objects it names that the last scan did not already take at the same ETag: configurations (sealed, so
 * read), states (whether they hold resources), statuses and job records. Plans and logs are never read (the
 * saved plans' files are taken from the listing).
 * Leaves its results in `INDEX_SNAPSHOT_KEY` for the next start.
 */
export async function scanStore(deps: ConfigDeps, options: ScanOptions = {}): Promise<IndexSnapshot> {
  const [listed, previous] = await Promise.all([deps.store.list(CLIENTS_PREFIX), readSnapshotFile(deps)]);
  const keys = listed
    .map((o) => ({ key: o.key, etag: o.etag, what: classifyKey(o.key) }))
    .filter((k): k is { key: string; etag: string | undefined; what: KeyKind } => k.what !== undefined);
  const objects: SnapshotFile['objects'] = {};
  const derived: (Derived | undefined)[] = new Array(keys.length);
  await eachLimited([...keys.keys()], options.concurrency ?? 16, async (i) => {
    const { key, etag, what } = keys[i]!;
    const known = previous[key];
    derived[i] =
      known && etag !== undefined && known.etag === etag ? known.derived : await derive(deps, key, what);
    const taken = derived[i];
    if (etag !== undefined && taken) objects[key] = { etag, derived: taken };
  });
  const snapshot: IndexSnapshot = {
    ...emptyIndexSnapshot(),
    // Taken from the listing alone: a plan file is never read here.
    savedPlans: listed.flatMap((o) => {
      const plan = savedPlanOf(o.key);
      if (!plan) return [];
      const savedAt = (o.lastModified ?? new Date()).toISOString();
      return [{ target: plan.target, plan: { planId: plan.planId, savedAt } }];
    }),
  };
  keys.forEach(({ what }, i) => {
    const d = derived[i];
    if (!d) return;
    if ('service' in d) snapshot.services.push(d.service);
    else if ('network' in d) snapshot.networks.push(d.network);
    else if ('status' in d && what.kind === 'status')
      snapshot.statuses.push({ ref: what.target, status: d.status });
    else if ('deployed' in d && d.deployed && what.kind === 'state') snapshot.deployed.push(what.target);
    else if ('job' in d) snapshot.jobs.push(d.job);
  });
  const file: SnapshotFile = { format: SNAPSHOT_FORMAT, objects };
  // Best effort: without it, the next start reads every object again.
  await deps.store
    .put(INDEX_SNAPSHOT_KEY, JSON.stringify(file), { contentType: 'application/json' })
    .catch(() => undefined);
  return snapshot;
}
