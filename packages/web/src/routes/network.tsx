import { A, useNavigate, useParams } from '@solidjs/router';
import { createMutation, createQuery, gql } from '@urql/solid';
import { createSignal, For, Show } from 'solid-js';
import { ConfigTable } from '../components/config-table';
import { ConfirmDialog } from '../components/confirm-dialog';
import { type JobRow, JobsTable, jobTitle } from '../components/jobs-table';
import { ErrorNotice, Loaded } from '../components/notices';
import { isFinal, type Json, PROVIDER_LABELS, type Provider } from '../lib/api-types';
import { createPageTitle } from '../lib/create-page-title';
import { formatDateTime } from '../lib/format';
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
      }
    }
  }
`;

const PlanNetworkMutation = gql`
  mutation PlanNetwork($provider: Provider!, $name: String!) {
    planNetwork(provider: $provider, name: $name) {
      id
    }
  }
`;

const DestroyNetworkMutation = gql`
  mutation DestroyNetwork($provider: Provider!, $name: String!) {
    destroyNetwork(provider: $provider, name: $name) {
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
    jobs: (JobRow & { canApply: boolean })[];
  } | null;
  networkTemplate: { id: string; parameters: { name: string; label: string; secret: boolean }[] } | null;
}

const asProvider = (value: string): Provider => (value.toUpperCase() === 'AWS' ? 'AWS' : 'LOCAL');

/** One network: plan, apply (through its plan's page), destroy, delete; its services and jobs. */
export function NetworkPage() {
  const params = useParams<{ provider: string; name: string }>();
  const navigate = useNavigate();
  const vars = () => ({ provider: asProvider(params.provider), name: params.name });
  const [query] = createQuery<NetworkData, { provider: Provider; name: string }>({
    query: NetworkQuery,
    variables: vars,
    requestPolicy: 'cache-and-network',
  });
  const [planned, planNetwork] = createMutation<{ planNetwork: { id: string } }>(PlanNetworkMutation);
  const [destroyed, destroyNetwork] = createMutation<{ destroyNetwork: { id: string } }>(
    DestroyNetworkMutation,
  );
  const [deleted, deleteNetwork] = createMutation<{ deleteNetwork: string }>(DeleteNetworkMutation);
  const [confirming, setConfirming] = createSignal<'destroy' | 'delete'>();

  const network = () => query.data?.network;
  createPageTitle(() => `Network ${params.name}`);
  const activeJob = () => network()?.jobs.find((j) => !isFinal(j.state));
  // Only the newest job: an older plan was replaced by a newer run, even when not applied yet.
  const applicablePlan = () => {
    const newest = network()?.jobs[0];
    return newest?.kind === 'PLAN' && newest.canApply ? newest : undefined;
  };

  async function plan() {
    const result = await planNetwork(vars());
    if (result.data) navigate(jobHref(result.data.planNetwork.id));
  }
  async function destroy() {
    const result = await destroyNetwork(vars());
    setConfirming(undefined);
    if (result.data) navigate(jobHref(result.data.destroyNetwork.id));
  }
  async function remove() {
    const result = await deleteNetwork(vars());
    setConfirming(undefined);
    if (result.data) navigate('/networks');
  }

  return (
    <>
      <p class="breadcrumbs">
        <A href="/networks">Networks</A> / <span aria-current="page">{params.name}</span>
      </p>
      <Loaded query={query} label="Loading the network…">
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
              <Show when={activeJob()}>
                {(job) => (
                  <p class="notice notice-info" role="status">
                    A job is {job().state.toLowerCase()}: <A href={jobHref(job().id)}>{jobTitle(job())}</A>.
                  </p>
                )}
              </Show>
              <div class="actions">
                <button
                  type="button"
                  class="button button-primary"
                  onClick={plan}
                  disabled={planned.fetching}
                >
                  {planned.fetching ? 'Planning…' : 'Plan'}
                </button>
                <Show when={applicablePlan()}>
                  {(job) => (
                    <A href={jobHref(job().id)} class="button">
                      Review the plan to apply
                    </A>
                  )}
                </Show>
                <Show
                  when={n().deployed}
                  fallback={
                    <button
                      type="button"
                      class="button button-danger"
                      onClick={() => setConfirming('delete')}
                    >
                      Delete
                    </button>
                  }
                >
                  <button type="button" class="button button-danger" onClick={() => setConfirming('destroy')}>
                    Destroy
                  </button>
                </Show>
              </div>
              <ErrorNotice error={planned.error ?? destroyed.error ?? deleted.error} />

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

              <ConfirmDialog
                open={confirming() === 'destroy'}
                title={`Destroy network ${n().name}?`}
                confirmLabel="Destroy"
                danger
                requireText={n().name}
                busy={destroyed.fetching}
                onConfirm={destroy}
                onCancel={() => setConfirming(undefined)}
              >
                <p>
                  The network is deleted from {PROVIDER_LABELS[n().provider]}. It is refused while deployed
                  services sit on it.
                </p>
              </ConfirmDialog>
              <ConfirmDialog
                open={confirming() === 'delete'}
                title={`Delete network ${n().name}?`}
                confirmLabel="Delete"
                danger
                busy={deleted.fetching}
                onConfirm={remove}
                onCancel={() => setConfirming(undefined)}
              >
                <p>
                  Its configuration and job history are deleted. Nothing is deployed, so nothing else changes.
                </p>
              </ConfirmDialog>
            </>
          )}
        </Show>
      </Loaded>
    </>
  );
}
