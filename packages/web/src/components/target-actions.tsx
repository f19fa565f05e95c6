import { A, useNavigate } from '@solidjs/router';
import type { AnyVariables, DocumentInput } from '@urql/core';
import { createMutation } from '@urql/solid';
import { createSignal, type JSX, Show } from 'solid-js';
import { isFinal } from '../lib/api-types';
import { jobHref } from '../lib/links';
import { showToast } from '../lib/toasts';
import { ConfirmDialog } from './confirm-dialog';
import { type JobRow, jobTitle } from './jobs-table';
import { ErrorNotice } from './notices';

/** What a plan or destroy mutation returns, its field aliased to `job` so a service and a network read alike. */
interface StartedJob {
  job: { id: string };
}

export interface TargetActionsProps<Variables extends AnyVariables> {
  /** The target's jobs, newest first. */
  jobs: (JobRow & { canApply: boolean })[];
  /** Something is deployed: it can be destroyed, else only deleted. */
  deployed: boolean;
  /** What the dialogs call the target: "echo-1", "network default". */
  label: string;
  /** What the user types to confirm a destroy. */
  confirmText: string;
  /** The variables of the three mutations. */
  variables: Variables;
  /** Queues a plan of the target; its field aliased to `job`. */
  plan: DocumentInput<StartedJob, Variables>;
  /** Queues a destroy of the target; its field aliased to `job`. */
  destroy: DocumentInput<StartedJob, Variables>;
  /** Deletes the target's configuration. */
  remove: DocumentInput<unknown, Variables>;
  /** Where to go once it is deleted. */
  removedHref: string;
  /** What a destroy takes away, in its confirmation. */
  destroyWarning: JSX.Element;
  /** Why a plan cannot run now, with the way to fix it (a service's missing network); the Plan button waits. */
  planBlocked?: JSX.Element;
}

/**
 * What can be done to a service or a network: the job running on it, plan (and the way to its latest plan,
 * to apply it), then destroy when deployed or delete when not, each confirmed in a dialog.
 */
export function TargetActions<Variables extends AnyVariables>(props: TargetActionsProps<Variables>) {
  const navigate = useNavigate();
  const [planned, plan] = createMutation<StartedJob, Variables>(props.plan);
  const [destroyed, destroy] = createMutation<StartedJob, Variables>(props.destroy);
  const [deleted, remove] = createMutation<unknown, Variables>(props.remove);
  const [confirming, setConfirming] = createSignal<'destroy' | 'delete'>();

  const activeJob = () => props.jobs.find((j) => !isFinal(j.state));
  // Only the newest job: an older plan was replaced by a newer run, even when not applied yet.
  const applicablePlan = () => {
    const newest = props.jobs[0];
    return newest?.kind === 'PLAN' && newest.canApply ? newest : undefined;
  };

  async function startPlan() {
    const result = await plan(props.variables);
    if (result.data) navigate(jobHref(result.data.job.id));
  }
  async function startDestroy() {
    const result = await destroy(props.variables);
    setConfirming(undefined);
    if (result.data) navigate(jobHref(result.data.job.id));
  }
  async function confirmRemove() {
    const result = await remove(props.variables);
    setConfirming(undefined);
    if (result.data) {
      navigate(props.removedHref);
      showToast(`Deleted ${props.label}, with its job history.`);
    }
  }

  return (
    <>
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
          onClick={startPlan}
          disabled={planned.fetching || props.planBlocked !== undefined}
          aria-describedby={props.planBlocked !== undefined ? 'plan-blocked' : undefined}
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
          when={props.deployed}
          fallback={
            <button type="button" class="button button-danger" onClick={() => setConfirming('delete')}>
              Delete
            </button>
          }
        >
          <button type="button" class="button button-danger" onClick={() => setConfirming('destroy')}>
            Destroy
          </button>
        </Show>
      </div>
      <Show when={props.planBlocked}>
        {(reason) => (
          <p class="hint plan-blocked" id="plan-blocked">
            {reason()}
          </p>
        )}
      </Show>
      <ErrorNotice error={planned.error} what={`Could not plan ${props.label}`} retry={startPlan} />
      <ErrorNotice error={destroyed.error} what={`Could not destroy ${props.label}`} />
      <ErrorNotice error={deleted.error} what={`Could not delete ${props.label}`} />

      <ConfirmDialog
        open={confirming() === 'destroy'}
        title={`Destroy ${props.label}?`}
        confirmLabel="Destroy"
        danger
        requireText={props.confirmText}
        busy={destroyed.fetching}
        onConfirm={startDestroy}
        onCancel={() => setConfirming(undefined)}
      >
        {props.destroyWarning}
      </ConfirmDialog>
      <ConfirmDialog
        open={confirming() === 'delete'}
        title={`Delete ${props.label}?`}
        confirmLabel="Delete"
        danger
        busy={deleted.fetching}
        onConfirm={confirmRemove}
        onCancel={() => setConfirming(undefined)}
      >
        <p>Its configuration and job history are deleted. Nothing is deployed, so nothing else changes.</p>
      </ConfirmDialog>
    </>
  );
}
