import type { CombinedError } from '@urql/core';
import { gql, useClient } from '@urql/solid';
import { type Accessor, createEffect, createMemo, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { type AnsiSegment, parseAnsi } from '../lib/ansi';
import { CopyButton } from './copy-button';
import { ErrorNotice } from './notices';

const JobLogsSubscription = gql`
  subscription JobLogs($jobId: ID!, $fromLine: Int!) {
    jobLogBatches(jobId: $jobId, fromLine: $fromLine) {
      n
      styled
    }
  }
`;

interface LogLine {
  n: number;
  /** The text without colours, to search, copy and download. */
  text: string;
  /** The coloured runs to draw. */
  segments: AnsiSegment[];
}

/**
 * A job's log as it is written: the lines so far, then live ones until the job ends. Lines are kept by
 * number, so a reconnect that sends some again adds nothing twice; they reach the page at most every 50 ms.
 */
export function createJobLog(jobId: Accessor<string>) {
  const client = useClient();
  const [lines, setLines] = createSignal<LogLine[]>([], { equals: false });
  const [error, setError] = createSignal<CombinedError>();
  const [ended, setEnded] = createSignal(false);
  // Bumped by "Try again": the stream starts over, and lines already shown are not added twice.
  const [attempt, setAttempt] = createSignal(0);

  createEffect(
    on([jobId, attempt], ([id]) => {
      const all: LogLine[] = [];
      let pending: { n: number; styled: string }[] = [];
      let timer: number | undefined;
      setLines(all);
      setError(undefined);
      setEnded(false);
      const flush = () => {
        timer = undefined;
        for (const line of pending) {
          if (line.n !== all.length) continue;
          const segments = parseAnsi(line.styled);
          all.push({ n: line.n, text: segments.map((s) => s.text).join(''), segments });
        }
        pending = [];
        setLines(all);
      };
      const { unsubscribe } = client
        .subscription<{ jobLogBatches: { n: number; styled: string }[] }>(JobLogsSubscription, {
          jobId: id,
          fromLine: 0,
        })
        .subscribe((result) => {
          if (result.error) setError(result.error);
          // urql marks the end of a subscription with a last result (repeating the last batch) without hasNext.
          if (result.hasNext === false) {
            if (timer !== undefined) window.clearTimeout(timer);
            flush();
            setEnded(true);
            return;
          }
          // Several lines per event when the job writes fast.
          const batch = (result.data?.jobLogBatches ?? []).filter((line) => line.n >= all.length);
          if (batch.length === 0) return;
          pending.push(...batch);
          timer ??= window.setTimeout(flush, 50);
        });
      onCleanup(() => {
        unsubscribe();
        if (timer !== undefined) window.clearTimeout(timer);
      });
    }),
  );
  return { lines, error, ended, retry: () => setAttempt((n) => n + 1) };
}

/** A line's runs with the search term marked; the text is always set as text, never as HTML. */
function LineText(props: { segments: AnsiSegment[]; term: string }) {
  const pieces = () => {
    const term = props.term.toLowerCase();
    if (!term) return props.segments.map((s) => ({ ...s, hit: false }));
    const out: (AnsiSegment & { hit: boolean })[] = [];
    for (const segment of props.segments) {
      const lower = segment.text.toLowerCase();
      let from = 0;
      for (let at = lower.indexOf(term); at >= 0; at = lower.indexOf(term, at + term.length)) {
        if (at > from) out.push({ ...segment, text: segment.text.slice(from, at), hit: false });
        out.push({ ...segment, text: segment.text.slice(at, at + term.length), hit: true });
        from = at + term.length;
      }
      if (from < segment.text.length) out.push({ ...segment, text: segment.text.slice(from), hit: false });
    }
    return out;
  };
  return (
    <For each={pieces()}>
      {(piece) =>
        piece.hit ? (
          <mark class={piece.classes || undefined}>{piece.text}</mark>
        ) : piece.classes ? (
          <span class={piece.classes}>{piece.text}</span>
        ) : (
          piece.text
        )
      }
    </For>
  );
}

/**
 * A job's log in tofu's colours, following its end while the reader is at the bottom; search (matching
 * lines marked, next and previous), copy and download of the plain text.
 */
export function JobLog(props: { jobId: string }) {
  const log = createJobLog(() => props.jobId);
  const [term, setTerm] = createSignal('');
  const [current, setCurrent] = createSignal(0);
  let pre: HTMLPreElement | undefined;
  let atBottom = true;

  const matches = createMemo(() => {
    const t = term().trim().toLowerCase();
    return t ? log.lines().filter((l) => l.text.toLowerCase().includes(t)) : [];
  });
  const matched = createMemo(() => new Set(matches().map((l) => l.n)));
  const plainText = () =>
    log
      .lines()
      .map((l) => `${l.text}\n`)
      .join('');

  createEffect(
    on(log.lines, () => {
      if (pre && atBottom && !term()) pre.scrollTop = pre.scrollHeight;
    }),
  );

  function show(index: number) {
    const list = matches();
    setCurrent(0);
    if (list.length === 0) return;
    const next = (index + list.length) % list.length;
    setCurrent(next);
    atBottom = false;
    pre?.querySelector(`[data-n="${list[next]!.n}"]`)?.scrollIntoView({ block: 'center' });
  }

  function download() {
    const url = URL.createObjectURL(new Blob([plainText()], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `spawnit-job-${props.jobId}.log`;
    link.click();
    window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  return (
    // The target of "Tofu's full output in the log" links: focusable, so the reader lands in it.
    <section class="job-log" id="job-log" tabIndex={-1} aria-labelledby="job-log-title">
      <div class="section-head">
        <h2 id="job-log-title">Log</h2>
        <div class="log-tools">
          <input
            type="search"
            class="log-search"
            placeholder="Search the log"
            aria-label="Search the log"
            value={term()}
            onInput={(event) => {
              setTerm(event.currentTarget.value);
              show(0);
            }}
            onKeyDown={(event) => {
              if (event.key === 'Enter') show(current() + (event.shiftKey ? -1 : 1));
            }}
          />
          <Show when={term().trim()}>
            <span class="hint" role="status">
              {matches().length === 0
                ? 'No match'
                : `${current() + 1} of ${matches().length} ${matches().length === 1 ? 'line' : 'lines'}`}
            </span>
            <button
              type="button"
              class="button button-small"
              onClick={() => show(current() - 1)}
              disabled={matches().length === 0}
              aria-label="Previous match"
            >
              ↑
            </button>
            <button
              type="button"
              class="button button-small"
              onClick={() => show(current() + 1)}
              disabled={matches().length === 0}
              aria-label="Next match"
            >
              ↓
            </button>
          </Show>
          <CopyButton text={plainText} label="Copy the log" disabled={log.lines().length === 0}>
            Copy
          </CopyButton>
          <button
            type="button"
            class="button button-small"
            onClick={download}
            disabled={log.lines().length === 0}
            aria-label="Download the log"
          >
            Download
          </button>
        </div>
      </div>
      <ErrorNotice error={log.error()} what="The log stream stopped" retry={log.retry} />
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
        <For each={log.lines()}>
          {(line) => (
            <span
              class="log-line"
              classList={{
                'log-match': matched().has(line.n),
                'log-current': matches()[current()] === line,
              }}
              data-n={line.n}
            >
              <LineText segments={line.segments} term={term().trim()} />
              {'\n'}
            </span>
          )}
        </For>
        <Show when={log.lines().length === 0}>
          <span class="log-empty">{log.ended() ? 'No output.' : 'Waiting for output…'}</span>
        </Show>
      </pre>
    </section>
  );
}
