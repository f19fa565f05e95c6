import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import type { JobKind, JobState, PlanStatus } from '../lib/api-types';
import { formatDateTime, formatDuration } from '../lib/format';
import { jobHref } from '../lib/links';
import { ListTable } from './list-table';
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
    <ListTable
      columns={['Job', 'State', 'Result', 'Asked for', 'Took']}
      rows={props.jobs}
      empty={<p class="empty">No jobs yet.</p>}
    >
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
    </ListTable>
  );
}
