import { A } from '@solidjs/router';
import { createQuery, gql } from '@urql/solid';
import { ListTable } from '../components/list-table';
import { Loaded } from '../components/notices';
import { ServiceStatusBadge } from '../components/status-badge';
import { type PlanStatus, PROVIDER_LABELS, type Provider } from '../lib/api-types';
import { createLiveStatuses } from '../lib/create-live-statuses';
import { createPageTitle } from '../lib/create-page-title';
import { formatDateTime } from '../lib/format';
import { serviceHref } from '../lib/links';

const ServicesQuery = gql`
  query Services {
    services {
      id
      templateId
      template {
        id
        name
      }
      provider
      networkName
      deployed
      updatedAt
      status {
        status
        checkedAt
        source
      }
    }
  }
`;

interface ServiceRow {
  id: string;
  templateId: string;
  template: { id: string; name: string } | null;
  provider: Provider;
  networkName: string;
  deployed: boolean;
  updatedAt: string;
  status: { status: PlanStatus; checkedAt: string; source: string } | null;
}

/** The user's services with their live status. */
export function ServicesPage() {
  createPageTitle(() => 'Services');
  const [services, refetch] = createQuery<{ services: ServiceRow[] }>({
    query: ServicesQuery,
    requestPolicy: 'cache-and-network',
  });
  const live = createLiveStatuses();

  return (
    <>
      <div class="section-head">
        <h1>Services</h1>
        <A href="/" class="button button-primary">
          New service
        </A>
      </div>
      <Loaded query={services} what="your services" retry={refetch} label="Loading your services…">
        <ListTable
          columns={['Service', 'Template', 'Where', 'Status', 'Last checked']}
          rows={services.data?.services}
          empty={
            <p class="empty">
              You have no services yet. <A href="/">Pick one in the catalog</A>.
            </p>
          }
        >
          {(service) => {
            const status = () => live()[service.id]?.status ?? service.status?.status;
            const deployed = () => live()[service.id]?.deployed ?? service.deployed;
            const source = () => live()[service.id]?.source ?? service.status?.source;
            const checkedAt = () => live()[service.id]?.checkedAt ?? service.status?.checkedAt;
            return (
              <tr>
                <td>
                  <A href={serviceHref(service.id)}>{service.id}</A>
                </td>
                <td>{service.template?.name ?? service.templateId}</td>
                <td>
                  {PROVIDER_LABELS[service.provider]} · {service.networkName}
                </td>
                <td>
                  <ServiceStatusBadge status={status()} deployed={deployed()} source={source()} />
                </td>
                <td>{formatDateTime(checkedAt())}</td>
              </tr>
            );
          }}
        </ListTable>
      </Loaded>
    </>
  );
}
