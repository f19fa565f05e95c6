import { A, useLocation, useNavigate, useParams, useSearchParams } from '@solidjs/router';
import { createMutation, createQuery, createSubscription, gql } from '@urql/solid';
import { createEffect, createSignal, on, Show } from 'solid-js';
import { ConfirmDialog } from '../components/confirm-dialog';
import { JobFailure } from '../components/job-failure';
import { JobLog } from '../components/job-log';
import { JobProgress } from '../components/job-progress';
import { jobTitle } from '../components/jobs-table';
import { ErrorNotice, Loaded } from '../components/notices';
import { OutputsTable } from '../components/outputs-table';
import { PlanSummary } from '../components/plan-summary';
import { JobStateBadge, PlanStatusBadge } from '../components/status-badge';
import {
  isFinal,
  type JobKind,
  type JobState,
  type PlanStatus,
  PROVIDER_LABELS,
  type JobProgress as Progress,
  type Provider,
  type PlanSummary as Summary,
} from '../lib/api-types';
import { createPageTitle } from '../lib/create-page-title';
import { formatCounts, formatDateTime, formatDuration } from '../lib/format';
import { PlanSummaryFields } from '../lib/fragments';
import { mayHaveChanged } from '../lib/job-failure';
import { jobHref, networkHref, newNetworkHref, serviceHref } from '../lib/links';

const JobQuery = gql`
  query Job($id: ID!) {
    job(id: $id) {
      id
      kind
      destroy
      state
      targetKind
      serviceId
      networkName
      networkProvider
      planJobId
      planStatus
      canApply
      error
      createdAt
      startedAt
      finishedAt
      progress {
        done
        total
        failed
      }
      summary {
        ...PlanSummaryFields
      }
      service {
        id
        provider
        networkName
        deployed
        network {
          name
          deployed
        }
        jobs {
          id
          kind
          planJobId
        }
      }
      network {
        jobs {
          id
          kind
          planJobId
        }
      }
    }
  }
  ${PlanSummaryFields}
`;

const JobUpdatedSubscription = gql`
  subscription JobUpdated($id: ID!) {
    jobUpdated(jobId: $id) {
      id
      state
      planStatus
      canApply
      error
      startedAt
      finishedAt
      progress {
        done
        total
        failed
      }
      summary {
        ...PlanSummaryFields
      }
    }
  }
  ${PlanSummaryFields}
`;

const CancelJobMutation = gql`
  mutation CancelJob($id: ID!, $force: Boolean!) {
    cancelJob(id: $id, force: $force) {
      id
      state
    }
  }
`;

const ApplyServiceMutation = gql`
  mutation ApplyService($id: ID!, $planJobId: ID!) {
    applyService(id: $id, planJobId: $planJobId) {
      id
    }
  }
`;

const ApplyNetworkMutation = gql`
  mutation ApplyNetwork($provider: Provider!, $name: String!, $planJobId: ID!) {
    applyNetwork(provider: $provider, name: $name, planJobId: $planJobId) {
      id
    }
  }
`;

interface JobLive {
  id: string;
  state: JobState;
  planStatus: PlanStatus | null;
  canApply: boolean;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  progress: Progress | null;
  summary: Summary | null;
}

interface TargetJob {
  id: string;
  kind: JobKind;
  planJobId: string | null;
}

interface JobData {
  job:
    | (JobLive & {
        kind: JobKind;
        destroy: boolean;
        targetKind: 'SERVICE' | 'NETWORK';
        serviceId: string | null;
        networkName: string | null;
        networkProvider: Provider | null;
        planJobId: string | null;
        createdAt: string;
        service: {
          id: string;
          provider: Provider;
          networkName: string;
          deployed: boolean;
          network: { name: string; deployed: boolean } | null;
          jobs: TargetJob[];
        } | null;
        network: { jobs: TargetJob[] } | null;
      })
    | null;
}

/** One job: its state and log live, what its plan changes, and what comes next (apply, cancel, outputs). */
export function JobPage() {
  const params = useParams<{ id: string }>();
  // Keyed: going from a plan to its apply starts a fresh page, with no state of the plan's left over.
  return (
    <Show when={params.id} keyed>
      {(id) => <JobView id={id} />}
    </Show>
  );
}

function JobView(props: { id: string }) {
  const navigate = useNavigate();
  const [query, refetch] = createQuery<JobData, { id: string }>({
    query: JobQuery,
    variables: () => ({ id: props.id }),
    requestPolicy: 'network-only',
  });
  const [updates] = createSubscription<{ jobUpdated: JobLive }, { jobUpdated: JobLive }, { id: string }>({
    query: JobUpdatedSubscription,
    variables: () => ({ id: props.id }),
  });
  const [cancelled, cancelJob] = createMutation<{ cancelJob: { id: string; state: JobState } }>(
    CancelJobMutation,
  );
  const [appliedService, applyService] = createMutation<{ applyService: { id: string } }>(
    ApplyServiceMutation,
  );
  const [appliedNetwork, applyNetwork] = createMutation<{ applyNetwork: { id: string } }>(
    ApplyNetworkMutation,
  );
  const [confirming, setConfirming] = createSignal<'apply' | 'cancel' | 'force'>();

  /** The loaded job with the latest pushed state over it. */
  const job = () => {
    const loaded = query.data?.job;
    if (!loaded) return loaded;
    const update = updates.data?.jobUpdated;
    return update && update.id === loaded.id ? { ...loaded, ...update } : loaded;
  };
  const running = () => !isFinal(job()?.state);
  createPageTitle(() => {
    const j = job();
    return j ? `${jobTitle(j)} of ${j.serviceId ?? j.networkName} (${j.state.toLowerCase()})` : 'Job';
  });
  /** The apply that took this plan, to link to it. */
  const appliedBy = () => {
    const j = query.data?.job;
    return (j?.service?.jobs ?? j?.network?.jobs ?? []).find(
      (t) => t.kind === 'APPLY' && t.planJobId === j?.id,
    );
  };
  const target = () => {
    const j = job();
    if (!j) return undefined;
    return j.targetKind === 'SERVICE'
      ? { label: `service ${j.serviceId}`, href: serviceHref(j.serviceId ?? '') }
      : {
          label: `network ${j.networkName} (${PROVIDER_LABELS[j.networkProvider ?? 'LOCAL']})`,
          href: networkHref(j.networkProvider ?? 'LOCAL', j.networkName ?? ''),
        };
  };

  // "#job-log" (a failure's link to tofu's full output): the log scrolls into view once the page is there.
  const location = useLocation();
  createEffect(
    on([() => location.hash, () => job() !== undefined], ([hash, loaded]) => {
      if (hash !== '#job-log' || !loaded) return;
      requestAnimationFrame(() => {
        const log = document.getElementById('job-log');
        log?.scrollIntoView({ block: 'start' });
        log?.focus({ preventScroll: true });
      });
    }),
  );

  // Reconcile (from a drifted service): the plan is applied as soon as it succeeds, unless it destroys.
  const [search] = useSearchParams<{ then?: string }>();
  const reconciling = () => search.then === 'apply' && job()?.kind === 'PLAN' && !job()?.destroy;
  const reconcileWaits = () => (job()?.summary?.destroy ?? 0) > 0;
  let reconciled = false;
  createEffect(() => {
    const j = job();
    if (!reconciling() || reconciled || !j || j.state !== 'SUCCEEDED' || !j.canApply || appliedBy()) return;
    if (reconcileWaits()) return;
    reconciled = true;
    void apply();
  });

  // The end of the job changes what its target says (deployed, network state): read it again.
  createEffect(
    on(
      () => job()?.state,
      (state, previous) => {
        if (previous !== undefined && state !== previous && isFinal(state))
          refetch({ requestPolicy: 'network-only' });
      },
    ),
  );

  async function apply() {
    const j = job();
    if (!j) return;
    const next =
      j.targetKind === 'SERVICE'
        ? (await applyService({ id: j.serviceId, planJobId: j.id })).data?.applyService.id
        : (await applyNetwork({ provider: j.networkProvider, name: j.networkName, planJobId: j.id })).data
            ?.applyNetwork.id;
    setConfirming(undefined);
    if (next) navigate(jobHref(next));
  }

  async function cancel(force: boolean) {
    await cancelJob({ id: props.id, force });
    setConfirming(undefined);
  }

  return (
    <Loaded query={query} what={`job ${props.id}`} retry={refetch} label="Loading the job…">
      <Show
        when={job()}
        fallback={
          <>
            <h1>No such job</h1>
            <p>
              There is no job {props.id} of yours. <A href="/services">Back to your services</A>.
            </p>
          </>
        }
      >
        {(j) => (
          <>
            <p class="breadcrumbs">
              <A href={j().targetKind === 'SERVICE' ? '/services' : '/networks'}>
                {j().targetKind === 'SERVICE' ? 'Services' : 'Networks'}
              </A>{' '}
              / <A href={target()!.href}>{j().serviceId ?? j().networkName}</A> /{' '}
              <span aria-current="page">{jobTitle(j())}</span>
            </p>
            <div class="page-head">
              <div>
                <h1>
                  {jobTitle(j())} of {target()!.label}
                </h1>
                <p class="lead job-meta" aria-live="polite">
                  <JobStateBadge state={j().state} />
                  <Show when={j().planStatus}>{(status) => <PlanStatusBadge status={status()} />}</Show>
                  <span>
                    Asked for {formatDateTime(j().createdAt)}
                    <Show when={j().finishedAt && j().startedAt}>
                      {' '}
                      · took {formatDuration(j().startedAt, j().finishedAt)}
                    </Show>
                    <Show when={!j().finishedAt && j().startedAt}>
                      {' '}
                      · started {formatDateTime(j().startedAt)}
                    </Show>
                  </span>
                </p>
              </div>
            </div>

            <Show when={reconciling() && !appliedBy()}>
              <p class="notice notice-info" role="status">
                <Show
                  when={j().state === 'SUCCEEDED' && reconcileWaits()}
                  fallback={
                    <>
                      Reconciling: this plan puts back what SpawnIt configured, and its apply starts by itself
                      once it succeeds.
                    </>
                  }
                >
                  Reconciling stopped before the apply: this plan destroys {j().summary?.destroy} resource(s).
                  Read it, then apply it yourself if that is what you want.
                </Show>
              </p>
            </Show>
            <Show when={j().state === 'RUNNING'}>
              <JobProgress
                kind={j().kind}
                state={j().state}
                startedAt={j().startedAt}
                progress={j().progress}
              />
            </Show>
            <Show when={j().kind !== 'PLAN' && isFinal(j().state) && j().progress}>
              {(p) => (
                <p class="hint job-progress-final">
                  {p().done} of {p().total} resources changed
                  <Show when={p().failed > 0}>, {p().failed} failed</Show>.
                </p>
              )}
            </Show>

            <Show when={running()}>
              <div class="actions">
                <button
                  type="button"
                  class="button"
                  // A plan changes nothing: it stops at once. An apply or destroy asks first.
                  onClick={() => (j().kind === 'PLAN' ? cancel(false) : setConfirming('cancel'))}
                  disabled={cancelled.fetching || cancelled.data !== undefined}
                >
                  {cancelled.data ? 'Cancelling…' : 'Cancel'}
                </button>
                <Show when={cancelled.data && j().state === 'RUNNING'}>
                  <button type="button" class="button button-danger" onClick={() => setConfirming('force')}>
                    Force stop
                  </button>
                </Show>
              </div>
              <Show when={cancelled.data && j().state === 'RUNNING'}>
                <p class="hint" role="status">
                  Tofu got an interrupt: it saves its state and releases its lock, then stops.
                </p>
              </Show>
            </Show>
            <ErrorNotice error={cancelled.error} what={`Could not cancel job ${props.id}`} />
            <ErrorNotice
              error={appliedService.error ?? appliedNetwork.error}
              what={`Could not apply the plan of job ${props.id}`}
            />

            <Show when={j().error && (j().state === 'FAILED' || j().state === 'INTERRUPTED')}>
              <JobFailure
                error={j().error!}
                kind={j().kind}
                destroy={j().destroy}
                changing={mayHaveChanged(j())}
                target={
                  j().targetKind === 'SERVICE'
                    ? { kind: 'SERVICE', id: j().serviceId ?? '' }
                    : {
                        kind: 'NETWORK',
                        provider: j().networkProvider ?? 'LOCAL',
                        name: j().networkName ?? '',
                      }
                }
                logHref={`${jobHref(j().id)}#job-log`}
              >
                <MissingNetwork service={j().service} />
              </JobFailure>
            </Show>
            <Show when={j().error && j().state === 'CANCELLED'}>
              <div class="notice notice-info" role="status">
                <p>{j().error}</p>
                <Show when={j().kind !== 'PLAN'}>
                  <p class="cancelled-next">
                    Part of the {j().kind === 'APPLY' ? 'apply' : 'destroy'} may have run before it stopped:
                    the state holds what was done. <A href={target()!.href}>Plan {target()!.label} again</A>{' '}
                    to finish it, or destroy it from there.
                  </p>
                </Show>
              </div>
            </Show>

            <Show when={j().summary}>
              {(summary) => (
                <PlanSummary
                  summary={summary()}
                  title={j().kind === 'PLAN' ? 'Plan' : 'Changes'}
                  unlisted={
                    <Show when={j().planJobId} fallback="The attributes are listed on the plan.">
                      {(planJobId) => (
                        <>
                          Attribute by attribute: <A href={jobHref(planJobId())}>the plan</A>.
                        </>
                      )}
                    </Show>
                  }
                />
              )}
            </Show>
            <Show when={j().kind === 'PLAN' && j().state === 'SUCCEEDED'}>
              <Show
                when={j().canApply && !appliedBy()}
                fallback={
                  <p class="notice notice-info">
                    <Show when={appliedBy()} fallback="Nothing to change: what runs is what is configured.">
                      {(apply) => (
                        <>
                          This plan was applied: <A href={jobHref(apply().id)}>see the apply</A>.
                        </>
                      )}
                    </Show>
                  </p>
                }
              >
                <div class="actions">
                  <button
                    type="button"
                    class={`button ${j().destroy ? 'button-danger' : 'button-primary'}`}
                    onClick={() => setConfirming('apply')}
                  >
                    Apply this plan
                  </button>
                </div>
              </Show>
            </Show>
            <Show when={j().kind !== 'PLAN' && j().state === 'SUCCEEDED'}>
              <p class="notice notice-success" role="status">
                {j().kind === 'DESTROY' || j().destroy ? 'Destroyed.' : 'Applied.'}{' '}
                <A href={target()!.href}>Open {target()!.label}</A>
              </p>
            </Show>
            <Show
              when={
                j().targetKind === 'SERVICE' &&
                j().kind === 'APPLY' &&
                !j().destroy &&
                j().state === 'SUCCEEDED'
              }
            >
              <OutputsTable serviceId={j().serviceId!} />
            </Show>

            <JobLog jobId={j().id} />

            <ConfirmDialog
              open={confirming() === 'apply'}
              title={`Apply this plan to ${target()!.label}?`}
              confirmLabel={j().destroy ? 'Destroy' : 'Apply'}
              danger={j().destroy || (j().summary?.destroy ?? 0) > 0}
              busy={appliedService.fetching || appliedNetwork.fetching}
              onConfirm={apply}
              onCancel={() => setConfirming(undefined)}
            >
              <p>
                Exactly this plan runs: {j().summary ? formatCounts(j().summary!) : 'its changes'}.
                <Show when={(j().summary?.destroy ?? 0) > 0}> Destroyed resources lose their data.</Show>
              </p>
            </ConfirmDialog>
            <ConfirmDialog
              open={confirming() === 'cancel'}
              title={`Cancel this ${j().kind === 'APPLY' ? 'apply' : 'destroy'}?`}
              confirmLabel={`Cancel the ${j().kind === 'APPLY' ? 'apply' : 'destroy'}`}
              cancelLabel="Keep it running"
              danger
              busy={cancelled.fetching}
              onConfirm={() => cancel(false)}
              onCancel={() => setConfirming(undefined)}
            >
              <p>
                Tofu gets one interrupt: it finishes the resource it is changing, saves its state, releases
                its lock and stops. What it already changed stays changed; plan again afterwards to finish, or
                destroy.
              </p>
            </ConfirmDialog>
            <ConfirmDialog
              open={confirming() === 'force'}
              title="Force stop?"
              confirmLabel="Force stop"
              danger
              busy={cancelled.fetching}
              onConfirm={() => cancel(true)}
              onCancel={() => setConfirming(undefined)}
            >
              <p>
                Tofu is killed now instead of stopping cleanly. Its state lock may stay behind and resources
                it was changing may be left half-made.
              </p>
            </ConfirmDialog>
          </>
        )}
      </Show>
    </Loaded>
  );
}

/** A service's plan needs its network: the way to create it, or to deploy it, when that is what is missing. */
function MissingNetwork(props: { service: NonNullable<JobData['job']>['service'] }) {
  return (
    <Show when={props.service}>
      {(service) => (
        <Show
          when={service().network}
          fallback={
            <p>
              <A href={newNetworkHref(service().provider, service().networkName)}>
                Create the network “{service().networkName}”
              </A>
              , apply it, then plan {service().id} again.
            </p>
          }
        >
          {(network) => (
            <Show when={!network().deployed}>
              <p>
                <A href={networkHref(service().provider, network().name)}>
                  Open the network “{network().name}”
                </A>{' '}
                to plan and apply it.
              </p>
            </Show>
          )}
        </Show>
      )}
    </Show>
  );
}
