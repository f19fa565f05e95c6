import type { JobState, PlanStatus } from '../lib/api-types';

type Tone = 'ok' | 'warn' | 'bad' | 'idle' | 'busy';

function Badge(props: { tone: Tone; label: string; title?: string }) {
  return (
    <span class={`badge badge-${props.tone}`} title={props.title}>
      {props.label}
    </span>
  );
}

/**
 * Where a service stands, in words people use: "in sync", "changed outside SpawnIt" (the drift check found
 * it) or "changes to apply" (a user's plan found it), "plan failed"; "not deployed" while nothing runs and
 * no plan failed. The technical term (compliant, drifted, error) is in the tooltip.
 */
export function ServiceStatusBadge(props: {
  status: PlanStatus | null | undefined;
  deployed: boolean;
  /** What found the status; a drifted status found by the drift check reads "changed outside SpawnIt". */
  source?: string | null;
}) {
  const view = (): { tone: Tone; label: string; title?: string } => {
    if (props.status === 'ERROR')
      return { tone: 'bad', label: 'plan failed', title: 'error: the last plan failed; see its job' };
    if (!props.deployed) return { tone: 'idle', label: 'not deployed' };
    if (props.status === 'DRIFTED') {
      return props.source === 'JOB'
        ? {
            tone: 'warn',
            label: 'changes to apply',
            title: 'drifted: the last plan found changes; apply it to make them',
          }
        : {
            tone: 'warn',
            label: 'changed outside SpawnIt',
            title: 'drifted: what runs differs from its configuration; reconcile to put it back',
          };
    }
    if (props.status === 'COMPLIANT')
      return {
        tone: 'ok',
        label: 'in sync',
        title: 'compliant: what runs is what is configured (the last plan found nothing to change)',
      };
    return { tone: 'idle', label: 'deployed' };
  };
  return <Badge tone={view().tone} label={view().label} title={view().title} />;
}

const JOB_TONES: Record<JobState, Tone> = {
  QUEUED: 'idle',
  RUNNING: 'busy',
  SUCCEEDED: 'ok',
  FAILED: 'bad',
  CANCELLED: 'warn',
  INTERRUPTED: 'warn',
};

export function JobStateBadge(props: { state: JobState }) {
  return <Badge tone={JOB_TONES[props.state]} label={props.state.toLowerCase()} />;
}

/** A plan's verdict: nothing to change, changes, or failed. */
export function PlanStatusBadge(props: { status: PlanStatus }) {
  const tone = (): Tone =>
    props.status === 'COMPLIANT' ? 'ok' : props.status === 'DRIFTED' ? 'warn' : 'bad';
  const label = () =>
    props.status === 'COMPLIANT' ? 'no changes' : props.status === 'DRIFTED' ? 'changes' : 'error';
  return <Badge tone={tone()} label={label()} />;
}
