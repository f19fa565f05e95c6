import { useNavigate } from '@solidjs/router';
import { createMutation, gql } from '@urql/solid';
import { Show } from 'solid-js';
import type { PlanSummary } from '../lib/api-types';
import { formatCounts } from '../lib/format';
import { jobHref } from '../lib/links';
import { ErrorNotice } from './notices';
import { ResourceDiff } from './plan-summary';

const ReconcileServiceMutation = gql`
  mutation ReconcileService($id: ID!) {
    planService(id: $id) {
      id
    }
  }
`;

// Values are kept in memory only (a status at rest holds none): after a restart, the next check lists them.
const UNLISTED = 'Found before SpawnIt restarted: the next check lists the attributes.';

/** The address of a plan that, once it succeeds, is applied by its page (the reconcile flow). */
export const reconcileHref = (jobId: string) => `${jobHref(jobId)}?then=apply`;

/**
 * What changed outside SpawnIt, as the last plan (the drift check's or a user's) found it, and one button
 * that puts the service back as configured: a plan, then its apply as soon as the plan succeeds.
 */
export function DriftPanel(props: { title: string; serviceId: string; summary: PlanSummary; busy: boolean }) {
  const navigate = useNavigate();
  const [started, reconcile] = createMutation<{ planService: { id: string } }, { id: string }>(
    ReconcileServiceMutation,
  );
  async function start() {
    const result = await reconcile({ id: props.serviceId });
    const id = result.data?.planService.id;
    if (id) navigate(reconcileHref(id));
  }
  return (
    <section class="drift-panel" aria-labelledby="drift-title">
      <div class="section-head">
        <h2 id="drift-title">{props.title}</h2>
        <button
          type="button"
          class="button button-primary"
          onClick={start}
          disabled={props.busy || started.fetching}
          aria-describedby="drift-reconcile-hint"
        >
          {started.fetching ? 'Starting…' : 'Reconcile'}
        </button>
      </div>
      <p class="hint" id="drift-reconcile-hint">
        What runs is no longer what SpawnIt configured ({formatCounts(props.summary)} to put it back).
        Reconcile plans again and applies that plan at once; a plan that would destroy anything waits for you.
      </p>
      <ErrorNotice
        error={started.error}
        what={`Could not reconcile service “${props.serviceId}”`}
        retry={start}
      />
      <ResourceDiff caption="Found changed" changes={props.summary.drift} unlisted={UNLISTED} />
      <ResourceDiff
        caption="What reconciling changes"
        changes={props.summary.resources}
        unlisted={UNLISTED}
      />
      <Show when={props.summary.outputs.length > 0}>
        <ResourceDiff caption="Outputs" changes={props.summary.outputs} unlisted={UNLISTED} />
      </Show>
    </section>
  );
}
