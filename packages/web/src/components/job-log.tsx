import { gql, useClient } from '@urql/solid';
import { type Accessor, createEffect, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { stripAnsi } from '../lib/ansi';
import { errorMessage } from '../lib/api-client';

const JobLogsSubscription = gql`
  subscription JobLogs($jobId: ID!, $fromLine: Int!) {
    jobLogs(jobId: $jobId, fromLine: $fromLine) {
      n
      text
    }
  }
`;

interface LogLine {
  n: number;
  text: string;
}

/**
 * A job's log as it is written: the lines so far, then live ones until the job ends. Lines are kept by
 * number, so a reconnect that sends some again adds nothing twice; they reach the page at most every 50 ms.
 */
export function createJobLog(jobId: Accessor<string>) {
  const client = useClient();
  const [lines, setLines] = createSignal<LogLine[]>([], { equals: false });
  const [error, setError] = createSignal<string>();
  const [ended, setEnded] = createSignal(false);

  createEffect(
    on(jobId, (id) => {
      const all: LogLine[] = [];
      let pending: LogLine[] = [];
      let timer: number | undefined;
      setLines(all);
      setError(undefined);
      setEnded(false);
      const flush = () => {
        timer = undefined;
        for (const line of pending)
          if (line.n === all.length) all.push({ n: line.n, text: stripAnsi(line.text) });
        pending = [];
        setLines(all);
      };
      const { unsubscribe } = client
        .subscription<{ jobLogs: LogLine }>(JobLogsSubscription, { jobId: id, fromLine: 0 })
        .subscribe((result) => {
          if (result.error) setError(errorMessage(result.error));
          // urql marks the end of a subscription with a last result (repeating the last line) without hasNext.
          if (result.hasNext === false) {
            if (timer !== undefined) window.clearTimeout(timer);
            flush();
            setEnded(true);
            return;
          }
          const line = result.data?.jobLogs;
          if (!line || line.n < all.length) return;
          pending.push(line);
          timer ??= window.setTimeout(flush, 50);
        });
      onCleanup(() => {
        unsubscribe();
        if (timer !== undefined) window.clearTimeout(timer);
      });
    }),
  );
  return { lines, error, ended };
}

/** A job's log, following its end while the reader is at the bottom. */
export function JobLog(props: { jobId: string }) {
  const log = createJobLog(() => props.jobId);
  let pre: HTMLPreElement | undefined;
  let atBottom = true;

  createEffect(
    on(log.lines, () => {
      if (pre && atBottom) pre.scrollTop = pre.scrollHeight;
    }),
  );

  return (
    <section class="job-log" aria-labelledby="job-log-title">
      <h2 id="job-log-title">Log</h2>
      <Show when={log.error()}>
        <p class="notice notice-error" role="alert">
          The log stream stopped: {log.error()}
        </p>
      </Show>
      <pre
        ref={pre}
        class="log"
        role="log"
        aria-label="Job log"
        aria-busy={!log.ended()}
        tabindex="0"
        onScroll={(event) => {
          const el = event.currentTarget;
          atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        <For each={log.lines()}>{(line) => <span class="log-line">{`${line.text}\n`}</span>}</For>
        <Show when={log.lines().length === 0}>
          <span class="log-empty">{log.ended() ? 'No output.' : 'Waiting for output…'}</span>
        </Show>
      </pre>
    </section>
  );
}
