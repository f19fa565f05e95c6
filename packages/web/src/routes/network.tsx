import { A, useParams } from '@solidjs/router';
import { createQuery, gql } from '@urql/solid';
import { For, Show } from 'solid-js';
import { ConfigTable } from '../components/config-table';
import { JobFailure } from '../components/job-failure';
import { type JobRow, JobsTable } from '../components/jobs-table';
import { Loaded } from '../components/notices';
import { TargetActions } from '../components/target-actions';
import { type JobProgress, type Json, PROVIDER_LABELS, type Provider } from '../lib/api-types';
import { createPageTitle } from '../lib/create-page-title';
import { formatDateTime } from '../lib/format';
import { mayHaveChanged, newestFailure } from '../lib/job-failure';
import { jobHref, serviceHref } from '../lib/links';

const NetworkQuery = gql`
  query Network($provider: Provider!, $name: String!) {
    network(provider: $provider, name: $name) {
      name
      provider
      deployed
      createdAt
      updatedAt
      params
      services {
        id
        templateId
        deployed
      }
      jobs {
        id
        kind
        destroy
        state
        planStatus
        canApply
        error
        progress {
          done
          total
          failed
        }
        createdAt
        startedAt
        finishedAt
      }
    }
    networkTemplate(provider: $provider) {
      id
      parameters {
        name
        label
        secret
        providers
      }
    }
  }
`;

// The jobs' fields are aliased to `job`, as TargetActions reads them.
const PlanNetworkMutation = gql`
  mutation PlanNetwork($provider: Provider!, $name: String!) {
    job: planNetwork(provider: $provider, name: $name) {
      id
    }
  }
`;

const DestroyNetworkMutation = gql`
  mutation DestroyNetwork($provider: Provider!, $name: String!) {
    job: destroyNetwork(provider: $provider, name: $name) {
      id
    }
  }
`;

const DeleteNetworkMutation = gql`
  mutation DeleteNetwork($provider: Provider!, $name: String!) {
    deleteNetwork(provider: $provider, name: $name)
  }
`;

interface NetworkData {
  network: {
    name: string;
    provider: Provider;
    deployed: boolean;
    createdAt: string;
    updatedAt: string;
    params: Record<string, Json>;
    services: { id: string; templateId: string; deployed: boolean }[];
    jobs: (JobRow & { canApply: boolean; error: string | null; progress: JobProgress | null })[];
  } | null;
  networkTemplate: {
    id: string;
    parameters: { name: string; label: string; secret: boolean; providers: Provider[] }[];
  } | null;
}

const asProvider = (value: string): Provider => (value.toUpperCase() === 'AWS' ? 'AWS' : 'LOCAL');

/** One network: plan, apply (through its plan's page), destroy, delete; its services and jobs. */
export function NetworkPage() {
  const params = useParams<{ provider: string; name: string }>();
  const vars = () => ({ provider: asProvider(params.provider), name: params.name });
  const [query, refetch] = createQuery<NetworkData, { provider: Provider; name: string }>({
    query: NetworkQuery,
    variables: vars,
    requestPolicy: 'cache-and-network',
  });

  const network = () => query.data?.network;
  createPageTitle(() => `Network ${params.name}`);

  return (
    <>
      <p class="breadcrumbs">
        <A href="/networks">Networks</A> / <span aria-current="page">{params.name}</span>
      </p>
      <Loaded
        query={query}
        what={`network “${params.name}” (${PROVIDER_LABELS[asProvider(params.provider)]})`}
        retry={refetch}
        label="Loading the network…"
      >
        <Show
          when={network()}
          fallback={
            <>
              <h1>No such network</h1>
              <p>
                You have no {PROVIDER_LABELS[vars().provider]} network “{params.name}”.{' '}
                <A href="/networks">Create one</A>.
              </p>
            </>
          }
        >
          {(n) => (
            <>
              <div class="page-head">
                <div>
                  <h1>Network {n().name}</h1>
                  <p class="lead">
                    {PROVIDER_LABELS[n().provider]} ·{' '}
                    <span class={`badge ${n().deployed ? 'badge-ok' : 'badge-idle'}`}>
                      {n().deployed ? 'deployed' : 'not deployed'}
                    </span>
                  </p>
                </div>
              </div>
              <Show when={newestFailure(n().jobs)}>
                {(job) => (
                  <JobFailure
                    error={job().error}
                    kind={job().kind}
                    destroy={job().destroy}
                    changing={mayHaveChanged(job())}
                    target={{ kind: 'NETWORK', provider: n().provider, name: n().name }}
                    logHref={`${jobHref(job().id)}#job-log`}
                  />
                )}
              </Show>
              <TargetActions
                jobs={n().jobs}
                deployed={n().deployed}
                label={`network ${n().name}`}
                confirmText={n().name}
                variables={vars()}
                plan={PlanNetworkMutation}
                destroy={DestroyNetworkMutation}
                remove={DeleteNetworkMutation}
                removedHref="/networks"
                destroyWarning={
                  <p>
                    The network is deleted from {PROVIDER_LABELS[n().provider]}. It is refused while deployed
                    services sit on it.
                  </p>
                }
              />

              <div class="columns">
                <section aria-labelledby="network-config-title">
                  <h2 id="network-config-title">Configuration</h2>
                  <Show
                    when={Object.keys(n().params).length > 0}
                    fallback={<p class="empty">No settings.</p>}
                  >
                    <ConfigTable
                      params={n().params}
                      parameters={query.data?.networkTemplate?.parameters ?? []}
                      provider={n().provider}
                    />
                  </Show>
                  <p class="hint">Created {formatDateTime(n().createdAt)}.</p>
                </section>
                <section aria-labelledby="network-services-title">
                  <h2 id="network-services-title">Services on it</h2>
                  <Show when={n().services.length > 0} fallback={<p class="empty">None yet.</p>}>
                    <ul>
                      <For each={n().services}>
                        {(service) => (
                          <li>
                            <A href={serviceHref(service.id)}>{service.id}</A> ({service.templateId}
                            {service.deployed ? ', deployed' : ''})
                          </li>
                        )}
                      </For>
                    </ul>
                  </Show>
                </section>
              </div>

              <section aria-labelledby="network-jobs-title">
                <h2 id="network-jobs-title">Jobs</h2>
                <JobsTable jobs={n().jobs} />
              </section>
            </>
          )}
        </Show>
      </Loaded>
    </>
  );
}
