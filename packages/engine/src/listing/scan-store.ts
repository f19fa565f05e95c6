import type { JobRecord } from '../job/job.js';
import type { ServiceStatus } from '../operations/events.js';
import { getNetwork } from '../service/network-config.js';
import { type ConfigDeps, getService, holdsResources } from '../service/service-config.js';
import { assertTargetRef, CLIENTS_PREFIX, type TargetRef } from '../store/keys.js';
import { readState } from '../store/read-state.js';
import { type IndexSnapshot, withoutParams } from './listing-index.js';

/** What a key under `clients/` is, from its path alone. */
type KeyKind =
  | { kind: 'config' | 'state'; target: TargetRef }
  | { kind: 'status'; target: Extract<TargetRef, { kind: 'service' }> }
  | { kind: 'job'; clientId: string; jobId: string };

const SERVICE_KEY = /^([^/]+)\/services\/([^/]+)\/(terraform\.tfvars\.json|terraform\.tfstate|status\.json)$/;
const NETWORK_KEY = /^([^/]+)\/networks\/([^/]+)\/([^/]+)\/(terraform\.tfvars\.json|terraform\.tfstate)$/;
const JOB_KEY = /^([^/]+)\/jobs\/([0-9a-f-]{36})\.json$/;

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

/**
 * Reads what the index needs from S3: one flat listing of `clients/`, then only the objects a listing
 * shows: configurations (sealed, so read), states (whether they hold resources), statuses and job records.
 * Plans and logs are never read. An object that cannot be read is left out, as the listings always did.
 */
export async function scanStore(deps: ConfigDeps, options: ScanOptions = {}): Promise<IndexSnapshot> {
  const snapshot: IndexSnapshot = { services: [], networks: [], statuses: [], deployed: [], jobs: [] };
  const keys = (await deps.store.list(CLIENTS_PREFIX))
    .map((o) => ({ key: o.key, what: classifyKey(o.key) }))
    .filter((k): k is { key: string; what: KeyKind } => k.what !== undefined);
  await eachLimited(keys, options.concurrency ?? 16, async ({ key, what }) => {
    try {
      if (what.kind === 'job') {
        const record = await deps.store.getJson<JobRecord>(key);
        if (record) snapshot.jobs.push(record);
      } else if (what.kind === 'status') {
        const status = await deps.store.getJson<ServiceStatus>(key);
        if (status) snapshot.statuses.push({ ref: what.target, status });
      } else if (what.kind === 'state') {
        if (holdsResources(await readState(deps, what.target))) snapshot.deployed.push(what.target);
      } else if (what.target.kind === 'service') {
        const service = await getService(deps, what.target.clientId, what.target.serviceId);
        if (service) snapshot.services.push(withoutParams(service));
      } else {
        const t = what.target;
        const network = await getNetwork(deps, t.clientId, t.provider, t.networkName);
        if (network) snapshot.networks.push(withoutParams(network));
      }
    } catch {
      // Unreadable (not valid JSON, sealed with a lost key...): the listings skipped it before too.
    }
  });
  return snapshot;
}
