import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import type { JobKind, JobState, PlanStatus } from '../lib/api-types';
import { formatDateTime, formatDuration } from '../lib/format';
import { jobHref } from '../lib/links';
import { JobStateBadge, PlanStatusBadge } from './status-badge';

export interface JobRow {
  id: string;
  kind: JobKind;
  destroy: boolean;
  state: JobState;
  planStatus: PlanStatus | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** "Plan", "Plan (destroy)", "Apply", "Destroy". */
export const jobTitle = (job: { kind: JobKind; destroy: boolean }) =>
  `${job.kind[0]}${job.kind.slice(1).toLowerCase()}${job.kind === 'PLAN' && job.destroy ? ' (destroy)' : ''}`;

/** A target's jobs, newest first, each linking to its log. */
export function JobsTable(props: { jobs: JobRow[] }) {
  return (
    <Show when={props.jobs.length > 0} fallback={<p class="empty">No jobs yet.</p>}>
      <div class="table-scroll">
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">State</th>
              <th scope="col">Result</th>
              <th scope="col">Asked for</th>
              <th scope="col">Took</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.jobs}>
              {(job) => (
                <tr>
                  <td>
                    <A href={jobHref(job.id)}>{jobTitle(job)}</A>
                  </td>
                  <td>
                    <JobStateBadge state={job.state} />
                  </td>
                  <td>
                    <Show when={job.planStatus} fallback="—">
                      {(status) => <PlanStatusBadge status={status()} />}
                    </Show>
                  </td>
                  <td>{formatDateTime(job.createdAt)}</td>
                  <td>{job.startedAt ? formatDuration(job.startedAt, job.finishedAt) : '—'}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}
