import { A, useNavigate } from '@solidjs/router';
import { createMutation, gql } from '@urql/solid';
import { createSignal, type JSX, Show } from 'solid-js';
import type { JobKind, Provider } from '../lib/api-types';
import { describeNextStep } from '../lib/job-failure';
import { editServiceHref, jobHref } from '../lib/links';
import { ConfirmDialog } from './confirm-dialog';
import { ErrorNotice } from './notices';

const PlanServiceMutation = gql`
  mutation RetryPlanService($id: ID!) {
    job: planService(id: $id) {
      id
    }
  }
`;
const DestroyServiceMutation = gql`
  mutation RetryDestroyService($id: ID!) {
    job: destroyService(id: $id) {
      id
    }
  }
`;
const PlanNetworkMutation = gql`
  mutation RetryPlanNetwork($provider: Provider!, $name: String!) {
    job: planNetwork(provider: $provider, name: $name) {
      id
    }
  }
`;
const DestroyNetworkMutation = gql`
  mutation RetryDestroyNetwork($provider: Provider!, $name: String!) {
    job: destroyNetwork(provider: $provider, name: $name) {
      id
    }
  }
`;

/** The job's target, as its mutations name it. */
export type FailedTarget =
  | { kind: 'SERVICE'; id: string }
  | { kind: 'NETWORK'; provider: Provider; name: string };

export interface JobFailureProps {
  /** Why it failed, in one sentence (the engine's words; tofu's raw output is in the log). */
  error: string;
  kind: JobKind;
  destroy: boolean;
  target: FailedTarget;
  /** tofu had started changing resources (the job has progress): part of it may have run. */
  changing: boolean;
  /** Where the job's full log is: `#job-log` on the job page, the job's page from elsewhere. */
  logHref: string;
  /** Ways to fix the cause shown under the advice (create the missing network, edit the service). */
  children?: JSX.Element;
}

/**
 * A failed job in words a person acts on: the one-sentence reason, what to do, the retry (plan again, or
 * destroy again after the same confirmation as the first), and the way to tofu's full output in the log.
 */
export function JobFailure(props: JobFailureProps) {
  const navigate = useNavigate();
  const next = () =>
    describeNextStep({
      kind: props.kind,
      destroy: props.destroy,
      targetKind: props.target.kind,
      changing: props.changing,
    });
  const [plannedService, planService] = createMutation<{ job: { id: string } }>(PlanServiceMutation);
  const [destroyedService, destroyService] = createMutation<{ job: { id: string } }>(DestroyServiceMutation);
  const [plannedNetwork, planNetwork] = createMutation<{ job: { id: string } }>(PlanNetworkMutation);
  const [destroyedNetwork, destroyNetwork] = createMutation<{ job: { id: string } }>(DestroyNetworkMutation);
  const [confirming, setConfirming] = createSignal(false);
  const label = () =>
    props.target.kind === 'SERVICE' ? `service ${props.target.id}` : `network ${props.target.name}`;
  const confirmText = () => (props.target.kind === 'SERVICE' ? props.target.id : props.target.name);
  const busy = () =>
    plannedService.fetching ||
    destroyedService.fetching ||
    plannedNetwork.fetching ||
    destroyedNetwork.fetching;
  const refused = () =>
    plannedService.error ?? destroyedService.error ?? plannedNetwork.error ?? destroyedNetwork.error;

  /** On the job's own page the log is right there: scroll to it, even when the address already says so. */
  function scrollToLog(event: MouseEvent) {
    const log = document.getElementById('job-log');
    if (!log || window.location.pathname !== props.logHref.split('#')[0]) return;
    event.preventDefault();
    log.scrollIntoView({ block: 'start' });
    log.focus({ preventScroll: true });
  }

  async function retry() {
    const t = props.target;
    const destroying = next().retry === 'destroy';
    const variables = t.kind === 'SERVICE' ? { id: t.id } : { provider: t.provider, name: t.name };
    const result =
      t.kind === 'SERVICE'
        ? await (destroying ? destroyService : planService)(variables)
        : await (destroying ? destroyNetwork : planNetwork)(variables);
    setConfirming(false);
    if (result.data) navigate(jobHref(result.data.job.id));
  }

  return (
    <>
      <div class="notice notice-error job-failure" role="alert">
        <p class="job-failure-reason">{props.error}</p>
        <p class="job-failure-advice">{next().advice}</p>
        {props.children}
        <div class="actions">
          <button
            type="button"
            class={`button button-small ${next().retry === 'destroy' ? 'button-danger' : 'button-primary'}`}
            disabled={busy()}
            onClick={() => (next().retry === 'destroy' ? setConfirming(true) : void retry())}
          >
            {busy() && next().retry === 'plan' ? 'Planning…' : next().retryLabel}
          </button>
          <A href={props.logHref} class="button button-small" onClick={scrollToLog}>
            Tofu’s full output in the log
          </A>
          <Show when={props.target.kind === 'SERVICE' && next().retry === 'plan' ? props.target : undefined}>
            {(service) => (
              <A href={editServiceHref((service() as { id: string }).id)} class="button button-small">
                Edit the settings
              </A>
            )}
          </Show>
        </div>
      </div>
      <ErrorNotice error={refused()} what={`Could not ${next().retry} ${label()} again`} />
      <ConfirmDialog
        open={confirming()}
        title={`Destroy ${label()} again?`}
        confirmLabel="Destroy"
        danger
        requireText={confirmText()}
        busy={busy()}
        onConfirm={() => void retry()}
        onCancel={() => setConfirming(false)}
      >
        <p>Everything it still runs is deleted, with its data. The configuration stays.</p>
      </ConfirmDialog>
    </>
  );
}
