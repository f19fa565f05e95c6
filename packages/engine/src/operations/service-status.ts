import type { ListingIndex } from '../listing/listing-index.js';
import { withoutAttributes } from '../runner/plan-summary.js';
import { targetPrefix } from '../store/keys.js';
import type { S3Store } from '../store/s3-store.js';
import type { ServiceStatus } from './events.js';
import type { EventBus } from './ports.js';

/** What makes two statuses "the same" for the user: an event is sent only when this changes. */
function statusFingerprint(status: ServiceStatus): string {
  // What changes, not the values: a value that moves on every check (a timestamp) is not news.
  const { resources = [], drift = [] } = withoutAttributes(status.summary) ?? {};
  return JSON.stringify([status.status, resources, drift, status.error ?? null]);
}

export interface ServiceStatuses {
  get(clientId: string, serviceId: string): Promise<ServiceStatus | undefined>;
  /** Records a status found by a job or a drift check; publishes only on change. */
  record(clientId: string, serviceId: string, status: ServiceStatus): Promise<void>;
}

/** Service statuses in the index (with their diff, for the UI) and in S3 (without values). */
export function createServiceStatuses(deps: {
  index: ListingIndex;
  store: S3Store;
  bus: EventBus;
}): ServiceStatuses {
  const { index, store, bus } = deps;
  const get = async (clientId: string, serviceId: string) =>
    (await index.statuses([{ clientId, serviceId }]))[0];
  return {
    get,
    async record(clientId, serviceId, status) {
      // One that cannot be read (the database away) is taken as changed: a repeated event costs less than a lost one.
      const previous = await get(clientId, serviceId).catch(() => undefined);
      await index.setStatus({ clientId, serviceId }, status);
      if (previous && statusFingerprint(previous) === statusFingerprint(status)) return;
      // In memory the status keeps its diff for the UI; S3 gets it without the values (see withoutAttributes).
      const saved = { ...status, summary: withoutAttributes(status.summary) };
      await store
        .putJson(`${targetPrefix({ kind: 'service', clientId, serviceId })}status.json`, saved)
        .catch(() => {
          // The status is rebuilt by the next plan; an S3 hiccup must not fail the run that found it.
        });
      bus.publish('serviceStatus', { clientId, serviceId, status });
    },
  };
}
