import { createSignal, onCleanup, Show } from 'solid-js';
import type { JobKind, JobState, JobProgress as Progress } from '../lib/api-types';
import { formatDuration } from '../lib/format';

/** What a job does before tofu reports resources. */
const WAITING: Record<JobKind, string> = {
  PLAN: 'planning…',
  APPLY: 'preparing the apply…',
  DESTROY: 'planning the destruction…',
};

/** A clock that ticks every second while `running()` says so, for elapsed times. */
function createNow(running: () => boolean) {
  const [now, setNow] = createSignal(Date.now());
  const timer = window.setInterval(() => {
    if (running()) setNow(Date.now());
  }, 1000);
  onCleanup(() => window.clearInterval(timer));
  return now;
}

/**
 * A running job's elapsed time and, once tofu changes resources, how many are done of those planned (from
 * tofu's machine-readable events, so it is exact, not guessed from the log's text).
 */
export function JobProgress(props: {
  kind: JobKind;
  state: JobState;
  startedAt: string | null;
  progress: Progress | null;
}) {
  const running = () => props.state === 'RUNNING';
  const now = createNow(running);
  const elapsed = () => formatDuration(props.startedAt, new Date(now()).toISOString());
  const percent = () => {
    const p = props.progress;
    return p && p.total > 0 ? Math.round((100 * p.done) / p.total) : 0;
  };
  return (
    <section class="job-progress" aria-label="Progress">
      <p>
        <span class="elapsed">
          Running for <time>{elapsed()}</time>
        </span>
        <Show when={props.progress} fallback={<span class="progress-text"> · {WAITING[props.kind]}</span>}>
          {(p) => (
            <span class="progress-text">
              {' '}
              · {p().done} of {p().total} resources
              <Show when={p().failed > 0}> · {p().failed} failed</Show>
            </span>
          )}
        </Show>
      </p>
      <Show when={props.progress}>
        {(p) => (
          <progress
            max={p().total}
            value={p().done}
            aria-label={`${p().done} of ${p().total} resources done`}
            title={`${percent()} %`}
          />
        )}
      </Show>
    </section>
  );
}
