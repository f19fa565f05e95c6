import { createSubscription, gql } from '@urql/solid';
import type { Accessor } from 'solid-js';
import type { PlanStatus } from './api-types';

// Used by the services list and a service's page; the document lives with the helper that runs it.
const ServiceStatusSubscription = gql`
  subscription ServiceStatus($id: ID) {
    serviceStatus(id: $id) {
      serviceId
      status {
        status
        checkedAt
        source
        error
      }
      service {
        id
        deployed
      }
    }
  }
`;

export interface LiveStatus {
  status: PlanStatus;
  checkedAt: string;
  source: 'JOB' | 'DRIFT' | 'APPLY';
  error: string | null;
  deployed: boolean | undefined;
}

interface StatusEvent {
  serviceStatus: {
    serviceId: string;
    status: Omit<LiveStatus, 'deployed'>;
    service: { id: string; deployed: boolean } | null;
  };
}

/**
 * The statuses the API pushes (a plan, an apply, the drift loop), by service id, for all the user's
 * services or one. A page shows these over what its query loaded, so a badge changes without a reload.
 */
export function createLiveStatuses(serviceId?: Accessor<string>): Accessor<Record<string, LiveStatus>> {
  const [events] = createSubscription<StatusEvent, Record<string, LiveStatus>, { id?: string }>(
    { query: ServiceStatusSubscription, variables: () => (serviceId ? { id: serviceId() } : {}) },
    (previous = {}, event) => ({
      ...previous,
      [event.serviceStatus.serviceId]: {
        ...event.serviceStatus.status,
        deployed: event.serviceStatus.service?.deployed,
      },
    }),
  );
  return () => events.data ?? {};
}
