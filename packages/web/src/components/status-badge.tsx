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
 * Where a service stands: compliant, drifted or error from its last plan (a user's, the drift loop's or an
 * apply's); "not deployed" while nothing runs and no plan failed.
 */
export function ServiceStatusBadge(props: { status: PlanStatus | null | undefined; deployed: boolean }) {
  const view = (): { tone: Tone; label: string } => {
    if (props.status === 'ERROR') return { tone: 'bad', label: 'error' };
    if (!props.deployed) return { tone: 'idle', label: 'not deployed' };
    if (props.status === 'DRIFTED') return { tone: 'warn', label: 'drifted' };
    if (props.status === 'COMPLIANT') return { tone: 'ok', label: 'compliant' };
    return { tone: 'idle', label: 'deployed' };
  };
  return <Badge tone={view().tone} label={view().label} />;
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
