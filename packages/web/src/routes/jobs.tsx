import { A, useSearchParams } from '@solidjs/router';
import { createQuery, gql } from '@urql/solid';
import { createMemo, For, Show } from 'solid-js';
import { jobTitle } from '../components/jobs-table';
import { ListTable } from '../components/list-table';
import { Loaded } from '../components/notices';
import { JobStateBadge, PlanStatusBadge } from '../components/status-badge';
import {
  type JobKind,
  type JobState,
  type PlanStatus,
  PROVIDER_LABELS,
  type Provider,
} from '../lib/api-types';
import { createPageTitle } from '../lib/create-page-title';
import { formatDateTime, formatDuration } from '../lib/format';
import { jobHref, networkHref, serviceHref } from '../lib/links';

const JobsQuery = gql`
  query Jobs {
    jobs(limit: 200) {
      id
      kind
      destroy
      state
      trigger
      planStatus
      targetKind
      serviceId
      networkName
      networkProvider
      createdAt
      startedAt
      finishedAt
    }
  }
`;

interface JobListRow {
  id: string;
  kind: JobKind;
  destroy: boolean;
  state: JobState;
  trigger: 'USER' | 'DRIFT';
  planStatus: PlanStatus | null;
  targetKind: 'SERVICE' | 'NETWORK';
  serviceId: string | null;
  networkName: string | null;
  networkProvider: Provider | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const STATES: JobState[] = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'INTERRUPTED'];
const KINDS: JobKind[] = ['PLAN', 'APPLY', 'DESTROY'];

const targetName = (job: JobListRow) =>
  job.targetKind === 'SERVICE' ? (job.serviceId ?? '') : `${job.networkName ?? ''}`;

/** Every job of the user's services and networks, newest first, filtered by state, kind, who and target. */
export function JobsPage() {
  createPageTitle(() => 'Jobs');
  const [search, setSearch] = useSearchParams<{ state?: string; kind?: string; who?: string; q?: string }>();
  const [jobs, refetch] = createQuery<{ jobs: JobListRow[] }>({
    query: JobsQuery,
    requestPolicy: 'cache-and-network',
  });
  const shown = createMemo(() =>
    (jobs.data?.jobs ?? []).filter(
      (job) =>
        (!search.state || job.state === search.state) &&
        (!search.kind || job.kind === search.kind) &&
        (!search.who || job.trigger === search.who) &&
        (!search.q || targetName(job).toLowerCase().includes(search.q.toLowerCase())),
    ),
  );
  const filtered = () => !!(search.state || search.kind || search.who || search.q);

  return (
    <>
      <h1>Jobs</h1>
      <search class="filters" aria-label="Filter jobs">
        <div class="field">
          <label for="jobs-q">Service or network</label>
          <input
            id="jobs-q"
            type="search"
            value={search.q ?? ''}
            onInput={(event) => setSearch({ q: event.currentTarget.value || undefined })}
          />
        </div>
        <div class="field">
          <label for="jobs-state">State</label>
          <select
            id="jobs-state"
            onChange={(event) => setSearch({ state: event.currentTarget.value || undefined })}
          >
            <option value="" selected={!search.state}>
              Any
            </option>
            <For each={STATES}>
              {(state) => (
                <option value={state} selected={search.state === state}>
                  {state.toLowerCase()}
                </option>
              )}
            </For>
          </select>
        </div>
        <div class="field">
          <label for="jobs-kind">Kind</label>
          <select
            id="jobs-kind"
            onChange={(event) => setSearch({ kind: event.currentTarget.value || undefined })}
          >
            <option value="" selected={!search.kind}>
              Any
            </option>
            <For each={KINDS}>
              {(kind) => (
                <option value={kind} selected={search.kind === kind}>
                  {jobTitle({ kind, destroy: false })}
                </option>
              )}
            </For>
          </select>
        </div>
        <div class="field">
          <label for="jobs-who">Asked by</label>
          <select
            id="jobs-who"
            onChange={(event) => setSearch({ who: event.currentTarget.value || undefined })}
          >
            <option value="" selected={!search.who}>
              Anyone
            </option>
            <option value="USER" selected={search.who === 'USER'}>
              You
            </option>
            <option value="DRIFT" selected={search.who === 'DRIFT'}>
              Drift check
            </option>
          </select>
        </div>
      </search>
      <Loaded query={jobs} what="your jobs" retry={refetch} label="Loading your jobs…">
        <p class="hint" aria-live="polite">
          {shown().length} of {jobs.data?.jobs.length ?? 0} jobs
        </p>
        <ListTable
          columns={['Job', 'On', 'State', 'Result', 'Asked by', 'Asked for', 'Took']}
          rows={shown()}
          empty={
            <p class="empty">
              <Show
                when={filtered()}
                fallback="You have no jobs yet: plan a service or a network to start one."
              >
                No job matches these filters.
              </Show>
            </p>
          }
        >
          {(job) => (
            <tr>
              <td>
                <A href={jobHref(job.id)}>{jobTitle(job)}</A>
              </td>
              <td>
                <Show
                  when={job.targetKind === 'SERVICE'}
                  fallback={
                    <A href={networkHref(job.networkProvider ?? 'LOCAL', job.networkName ?? '')}>
                      network {job.networkName} ({PROVIDER_LABELS[job.networkProvider ?? 'LOCAL']})
                    </A>
                  }
                >
                  <A href={serviceHref(job.serviceId ?? '')}>service {job.serviceId}</A>
                </Show>
              </td>
              <td>
                <JobStateBadge state={job.state} />
              </td>
              <td>
                <Show when={job.planStatus} fallback="—">
                  {(status) => <PlanStatusBadge status={status()} />}
                </Show>
              </td>
              <td>{job.trigger === 'DRIFT' ? 'Drift check' : 'You'}</td>
              <td>{formatDateTime(job.createdAt)}</td>
              <td>{job.startedAt ? formatDuration(job.startedAt, job.finishedAt) : '—'}</td>
            </tr>
          )}
        </ListTable>
      </Loaded>
    </>
  );
}
