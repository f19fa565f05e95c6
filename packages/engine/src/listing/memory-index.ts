import type { JobRecord } from '../job/job.js';
import type { ServiceStatus } from '../operations/events.js';
import { type TargetRef, targetPrefix } from '../store/keys.js';
import type {
  IndexSnapshot,
  JobKey,
  ListingIndex,
  NetworkEntry,
  NetworkKey,
  SavedPlan,
  ServiceEntry,
} from './listing-index.js';

export interface MemoryIndexOptions {
  /** Reads what the index starts from (S3, with `scanStore`); called once, by the first read. */
  load: () => Promise<IndexSnapshot>;
}

/** One client's part of the index. Job ids are kept oldest first, so the newest are read from the end. */
interface ClientPart {
  services: Map<string, ServiceEntry>;
  networks: Map<string, NetworkEntry>;
  statuses: Map<string, ServiceStatus>;
  jobs: Map<string, JobRecord>;
  order: string[];
  byTarget: Map<string, string[]>;
}

const networkId = (n: NetworkKey) => `${n.provider}/${n.networkName}`;

/**
 * The in-process index: maps in memory, filled from S3 by the first read. Writes made while it is being
 * filled are replayed after, so a write that landed in S3 after the scan read it is not lost.
 */
export function createMemoryIndex(options: MemoryIndexOptions): ListingIndex {
  const parts = new Map<string, ClientPart>();
  const deployed = new Set<string>();
  /** Saved plans by target, by plan id. */
  const plans = new Map<string, Map<string, SavedPlan>>();
  let phase: 'empty' | 'loading' | 'ready' = 'empty';
  let loading: Promise<void> | undefined;
  const pending: (() => void)[] = [];

  const partOf = (clientId: string): ClientPart => {
    let part = parts.get(clientId);
    if (!part) {
      part = {
        services: new Map(),
        networks: new Map(),
        statuses: new Map(),
        jobs: new Map(),
        order: [],
        byTarget: new Map(),
      };
      parts.set(clientId, part);
    }
    return part;
  };

  /** Inserts an id into a list kept in creation order (new jobs land at the end). */
  function insertOrdered(list: string[], part: ClientPart, record: JobRecord): void {
    let i = list.length;
    while (i > 0 && part.jobs.get(list[i - 1]!)!.createdAt > record.createdAt) i -= 1;
    list.splice(i, 0, record.id);
  }

  function applyJob(record: JobRecord): void {
    const part = partOf(record.clientId);
    const known = part.jobs.has(record.id);
    part.jobs.set(record.id, record);
    if (known) return;
    insertOrdered(part.order, part, record);
    const key = targetPrefix(record.target);
    const list = part.byTarget.get(key) ?? [];
    insertOrdered(list, part, record);
    part.byTarget.set(key, list);
  }

  function applyRemoveJobs(keys: readonly JobKey[]): void {
    const gone = new Set(keys.map((k) => `${k.clientId}/${k.jobId}`));
    for (const clientId of new Set(keys.map((k) => k.clientId))) {
      const part = parts.get(clientId);
      if (!part) continue;
      const keep = (id: string) => !gone.has(`${clientId}/${id}`);
      for (const id of part.order) if (!keep(id)) part.jobs.delete(id);
      part.order = part.order.filter(keep);
      for (const [target, list] of part.byTarget) {
        const kept = list.filter(keep);
        if (kept.length > 0) part.byTarget.set(target, kept);
        else part.byTarget.delete(target);
      }
    }
  }

  function putPlan(target: TargetRef, plan: SavedPlan): void {
    const key = targetPrefix(target);
    plans.set(key, (plans.get(key) ?? new Map()).set(plan.planId, plan));
  }

  function fill(snapshot: IndexSnapshot): void {
    for (const s of snapshot.services) partOf(s.clientId).services.set(s.serviceId, s);
    for (const n of snapshot.networks) partOf(n.clientId).networks.set(networkId(n), n);
    for (const { ref, status } of snapshot.statuses) partOf(ref.clientId).statuses.set(ref.serviceId, status);
    for (const target of snapshot.deployed) deployed.add(targetPrefix(target));
    for (const { target, plan } of snapshot.savedPlans) putPlan(target, plan);
    for (const record of [...snapshot.jobs].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
      applyJob(record);
    }
  }

  function ready(): Promise<void> {
    if (phase === 'ready') return Promise.resolve();
    if (!loading) {
      phase = 'loading';
      loading = options
        .load()
        .then((snapshot) => {
          fill(snapshot);
          for (const write of pending.splice(0)) write();
          phase = 'ready';
        })
        .catch((error: unknown) => {
          // A failed scan (S3 down) is tried again by the next read.
          parts.clear();
          deployed.clear();
          plans.clear();
          phase = 'empty';
          loading = undefined;
          throw error;
        });
    }
    return loading;
  }

  /** A write before the index is filled waits for the scan, then applies over what it read. */
  async function write(change: () => void): Promise<void> {
    if (phase === 'ready') {
      change();
      return;
    }
    pending.push(change);
    // The scan's own failure is reported to the next read; the write is in S3 already.
    void ready().catch(() => undefined);
  }

  const newest = (part: ClientPart | undefined, ids: readonly string[] | undefined, limit = Infinity) => {
    const out: JobRecord[] = [];
    if (!part || !ids) return out;
    for (let i = ids.length - 1; i >= 0 && out.length < limit; i -= 1) out.push(part.jobs.get(ids[i]!)!);
    return out;
  };

  return {
    putService: (entry) => write(() => partOf(entry.clientId).services.set(entry.serviceId, entry)),
    putNetwork: (entry) => write(() => partOf(entry.clientId).networks.set(networkId(entry), entry)),
    removeTarget: (ref) =>
      write(() => {
        const part = partOf(ref.clientId);
        if (ref.kind === 'service') {
          part.services.delete(ref.serviceId);
          part.statuses.delete(ref.serviceId);
        } else part.networks.delete(networkId(ref));
        deployed.delete(targetPrefix(ref));
        plans.delete(targetPrefix(ref));
      }),
    setDeployed: (ref, isDeployed) =>
      write(() => {
        if (isDeployed) deployed.add(targetPrefix(ref));
        else deployed.delete(targetPrefix(ref));
      }),
    setStatus: (ref, status) => write(() => partOf(ref.clientId).statuses.set(ref.serviceId, status)),
    putJob: (record) => write(() => applyJob(record)),
    removeJobs: (keys) => write(() => applyRemoveJobs(keys)),
    putSavedPlan: (target, plan) => write(() => putPlan(target, plan)),
    removeSavedPlans: (target, planIds) =>
      write(() => {
        const kept = plans.get(targetPrefix(target));
        for (const planId of planIds) kept?.delete(planId);
        if (kept?.size === 0) plans.delete(targetPrefix(target));
      }),

    async clients() {
      await ready();
      return [...parts.keys()].sort();
    },
    async listServices(clientId) {
      await ready();
      return [...(parts.get(clientId)?.services.values() ?? [])].sort((a, b) =>
        a.serviceId.localeCompare(b.serviceId),
      );
    },
    async listNetworks(clientId) {
      await ready();
      return [...(parts.get(clientId)?.networks.values() ?? [])].sort(
        (a, b) => a.provider.localeCompare(b.provider) || a.networkName.localeCompare(b.networkName),
      );
    },
    async services(keys) {
      await ready();
      return keys.map((k) => parts.get(k.clientId)?.services.get(k.serviceId));
    },
    async networks(keys) {
      await ready();
      return keys.map((k) => parts.get(k.clientId)?.networks.get(networkId(k)));
    },
    async statuses(keys) {
      await ready();
      return keys.map((k) => parts.get(k.clientId)?.statuses.get(k.serviceId));
    },
    async deployed(targets) {
      await ready();
      return targets.map((t) => deployed.has(targetPrefix(t)));
    },
    async jobs(keys) {
      await ready();
      return keys.map((k) => parts.get(k.clientId)?.jobs.get(k.jobId));
    },
    async listJobs(clientId, listOptions = {}) {
      await ready();
      const part = parts.get(clientId);
      const ids = listOptions.target ? part?.byTarget.get(targetPrefix(listOptions.target)) : part?.order;
      return newest(part, ids, listOptions.limit);
    },
    async jobsOf(targets, limit) {
      await ready();
      return targets.map((t) => {
        const part = parts.get(t.clientId);
        return newest(part, part?.byTarget.get(targetPrefix(t)), limit);
      });
    },
    async lastPlans(targets: readonly TargetRef[]) {
      await ready();
      return targets.map((t) => {
        const part = parts.get(t.clientId);
        const ids = part?.byTarget.get(targetPrefix(t)) ?? [];
        for (let i = ids.length - 1; i >= 0; i -= 1) {
          const job = part!.jobs.get(ids[i]!)!;
          if (job.kind === 'plan' && !job.destroy) return job;
        }
        return undefined;
      });
    },
    async savedPlans(target) {
      await ready();
      return [...(plans.get(targetPrefix(target))?.values() ?? [])].sort(
        (a, b) => a.savedAt.localeCompare(b.savedAt) || a.planId.localeCompare(b.planId),
      );
    },
  };
}
