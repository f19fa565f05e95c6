import { A, useParams } from '@solidjs/router';
import { createQuery, gql } from '@urql/solid';
import { createEffect, on, Show } from 'solid-js';
import { ConfigTable } from '../components/config-table';
import { DriftPanel } from '../components/drift-panel';
import { JobFailure } from '../components/job-failure';
import { type JobRow, JobsTable } from '../components/jobs-table';
import { Loaded } from '../components/notices';
import { OutputsTable } from '../components/outputs-table';
import { ServiceStatusBadge } from '../components/status-badge';
import { TargetActions } from '../components/target-actions';
import { TemplateIcon } from '../components/template-icon';
import {
  isFinal,
  type JobProgress,
  type Json,
  type PlanStatus,
  type PlanSummary,
  PROVIDER_LABELS,
  type Provider,
} from '../lib/api-types';
import { createLiveStatuses } from '../lib/create-live-statuses';
import { createPageTitle } from '../lib/create-page-title';
import { formatDateTime } from '../lib/format';
import { PlanSummaryFields } from '../lib/fragments';
import { mayHaveChanged, newestFailure } from '../lib/job-failure';
import { editServiceHref, jobHref, networkHref, newNetworkHref } from '../lib/links';

const ServiceQuery = gql`
  query Service($id: ID!) {
    service(id: $id) {
      id
      templateId
      provider
      networkName
      deployed
      createdAt
      updatedAt
      params
      template {
        id
        name
        icon
        parameters {
          name
          label
          secret
          providers
        }
      }
      network {
        name
        provider
        deployed
      }
      status {
        status
        checkedAt
        source
        error
        summary {
          ...PlanSummaryFields
        }
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
  }
  ${PlanSummaryFields}
`;

// The jobs' fields are aliased to `job`, as TargetActions reads them.
const PlanServiceMutation = gql`
  mutation PlanService($id: ID!) {
    job: planService(id: $id) {
      id
    }
  }
`;

const DestroyServiceMutation = gql`
  mutation DestroyService($id: ID!) {
    job: destroyService(id: $id) {
      id
    }
  }
`;

const DeleteServiceMutation = gql`
  mutation DeleteService($id: ID!) {
    deleteService(id: $id)
  }
`;

interface ServiceData {
  service: {
    id: string;
    templateId: string;
    provider: Provider;
    networkName: string;
    deployed: boolean;
    createdAt: string;
    updatedAt: string;
    params: Record<string, Json>;
    template: {
      id: string;
      name: string;
      icon: string;
      parameters: { name: string; label: string; secret: boolean; providers: Provider[] }[];
    } | null;
    network: { name: string; provider: Provider; deployed: boolean } | null;
    status: {
      status: PlanStatus;
      checkedAt: string;
      source: string;
      error: string | null;
      summary: PlanSummary | null;
    } | null;
    jobs: (JobRow & { canApply: boolean; error: string | null; progress: JobProgress | null })[];
  } | null;
}

const SOURCES: Record<string, string> = { JOB: 'a plan', DRIFT: 'the drift check', APPLY: 'an apply' };

/** One service: status, actions, configuration, outputs and jobs. */
export function ServicePage() {
  const params = useParams<{ id: string }>();
  const [query, refetch] = createQuery<ServiceData, { id: string }>({
    query: ServiceQuery,
    variables: () => ({ id: params.id }),
    requestPolicy: 'cache-and-network',
  });
  const live = createLiveStatuses(() => params.id);

  const service = () => query.data?.service;
  createPageTitle(() => `Service ${params.id}`);
  const liveStatus = () => live()[params.id];
  const status = () => liveStatus() ?? service()?.status ?? undefined;
  const deployed = () => liveStatus()?.deployed ?? service()?.deployed ?? false;
  /** The newest job, when it failed: its reason, what to do and the retry lead the page. */
  const failedJob = () => newestFailure(service()?.jobs ?? []);

  // A pushed status means a job or the drift check ran: reload the jobs and the deployed flag.
  createEffect(on(liveStatus, () => refetch({ requestPolicy: 'network-only' }), { defer: true }));

  return (
    <>
      <p class="breadcrumbs">
        <A href="/services">Services</A> / <span aria-current="page">{params.id}</span>
      </p>
      <Loaded query={query} what={`service “${params.id}”`} retry={refetch} label="Loading the service…">
        <Show
          when={service()}
          fallback={
            <>
              <h1>No such service</h1>
              <p>
                You have no service “{params.id}”. <A href="/services">Back to your services</A>.
              </p>
            </>
          }
        >
          {(s) => (
            <>
              <div class="page-head">
                <TemplateIcon
                  icon={s().template?.icon ?? s().templateId}
                  name={s().template?.name ?? s().templateId}
                />
                <div>
                  <h1>{s().id}</h1>
                  <p class="lead">
                    {s().template?.name ?? s().templateId} on {PROVIDER_LABELS[s().provider]}, network{' '}
                    <A href={networkHref(s().provider, s().networkName)}>{s().networkName}</A>
                  </p>
                </div>
                <div class="page-status">
                  <ServiceStatusBadge
                    status={status()?.status}
                    deployed={deployed()}
                    source={status()?.source}
                  />
                  <Show when={status()}>
                    {(st) => (
                      <span class="hint">
                        Found by {SOURCES[st().source] ?? st().source}, {formatDateTime(st().checkedAt)}
                      </span>
                    )}
                  </Show>
                </div>
              </div>

              <Show
                when={failedJob()}
                fallback={
                  <Show when={status()?.status === 'ERROR' && status()?.error}>
                    <div class="notice notice-error" role="alert">
                      <p>{status()?.error}</p>
                    </div>
                  </Show>
                }
              >
                {(job) => (
                  <JobFailure
                    error={job().error}
                    kind={job().kind}
                    destroy={job().destroy}
                    changing={mayHaveChanged(job())}
                    target={{ kind: 'SERVICE', id: s().id }}
                    logHref={`${jobHref(job().id)}#job-log`}
                  >
                    <Show when={!s().network}>
                      <p>
                        <A href={newNetworkHref(s().provider, s().networkName)}>
                          Create the network “{s().networkName}”
                        </A>
                      </p>
                    </Show>
                  </JobFailure>
                )}
              </Show>
              <TargetActions
                jobs={s().jobs}
                deployed={deployed()}
                label={s().id}
                confirmText={s().id}
                variables={{ id: params.id }}
                plan={PlanServiceMutation}
                destroy={DestroyServiceMutation}
                remove={DeleteServiceMutation}
                removedHref="/services"
                planBlocked={
                  !s().network ? (
                    <>
                      Plan needs the network “{s().networkName}”, which does not exist yet:{' '}
                      <A href={newNetworkHref(s().provider, s().networkName)}>
                        Create the network “{s().networkName}”
                      </A>
                      , apply it, then plan.
                    </>
                  ) : !s().network?.deployed ? (
                    <>
                      Plan needs the network “{s().networkName}” deployed first:{' '}
                      <A href={networkHref(s().provider, s().networkName)}>
                        Open the network “{s().networkName}”
                      </A>{' '}
                      to plan and apply it.
                    </>
                  ) : undefined
                }
                destroyWarning={
                  <p>
                    Everything this service runs is deleted: tofu plans the destruction, then applies it. Its
                    data goes with it. The configuration stays, so you can deploy it again.
                  </p>
                }
              />

              <Show when={deployed() && status()?.status === 'DRIFTED' ? s().status?.summary : undefined}>
                {(summary) => (
                  <DriftPanel
                    title={status()?.source === 'JOB' ? 'Changes to apply' : 'Changed outside SpawnIt'}
                    serviceId={s().id}
                    summary={summary()}
                    busy={s().jobs.some((j) => !isFinal(j.state))}
                  />
                )}
              </Show>

              <div class="columns">
                <section aria-labelledby="config-title">
                  <h2 id="config-title">Configuration</h2>
                  <ConfigTable
                    params={s().params}
                    parameters={s().template?.parameters ?? []}
                    provider={s().provider}
                  />
                  <p class="hint">
                    Saved {formatDateTime(s().updatedAt)}.{' '}
                    <A href={editServiceHref(s().id)} aria-label={`Edit the settings of ${s().id}`}>
                      Edit the settings
                    </A>
                  </p>
                </section>
                <OutputsTable serviceId={s().id} />
              </div>

              <section aria-labelledby="jobs-title">
                <h2 id="jobs-title">Jobs</h2>
                <JobsTable jobs={s().jobs} />
              </section>
            </>
          )}
        </Show>
      </Loaded>
    </>
  );
}
