/** One numbered output line; numbers start at 0 and have no gaps. */
export interface LogLine {
  n: number;
  text: string;
}

type Listener = (line: LogLine | null) => void;

/** Lines per batch of a replay. */
const REPLAY_BATCH = 1_000;

/**
 * A job's output. A subscriber registers first and replays what it missed second, so a line written between
 * the two is neither lost nor sent twice.
 */
export class JobLog {
  readonly #lines: string[] = [];
  readonly #listeners = new Set<Listener>();
  #closed = false;

  readonly #onLine: ((line: LogLine) => void) | undefined;

  constructor(
    options: { initial?: readonly string[]; closed?: boolean; onLine?: (line: LogLine) => void } = {},
  ) {
    this.#lines.push(...(options.initial ?? []));
    this.#closed = options.closed ?? false;
    this.#onLine = options.onLine;
  }

  get length(): number {
    return this.#lines.length;
  }

  get closed(): boolean {
    return this.#closed;
  }

  lines(from = 0): string[] {
    return this.#lines.slice(from);
  }

  append(text: string): void {
    if (this.#closed) return;
    const line = { n: this.#lines.length, text };
    this.#lines.push(text);
    this.#onLine?.(line);
    for (const listener of this.#listeners) listener(line);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#listeners) listener(null);
    this.#listeners.clear();
  }

  /**
   * Lines from `fromLine` on: first those already written, then live ones, ending when the job ends.
   * Breaking out of the loop unsubscribes.
   */
  async *follow(fromLine = 0, signal?: AbortSignal): AsyncGenerator<LogLine> {
    for await (const batch of this.followBatches(fromLine, signal)) yield* batch;
  }

  /**
   * The lines of `follow`, in batches: the replay (1,000 lines a batch), then at each wake every line written
   * since the last one.
   * One step per batch rather than per line, for a reader that takes lines in bulk. Batches are never empty.
   */
  async *followBatches(fromLine = 0, signal?: AbortSignal): AsyncGenerator<LogLine[]> {
    let pending: (LogLine | null)[] = [];
    let wake: (() => void) | undefined;
    const listener: Listener = (line) => {
      pending.push(line);
      wake?.();
    };
    // Subscribe first, then replay: nothing written in between is lost.
    if (!this.#closed) this.#listeners.add(listener);
    const onAbort = () => {
      pending.push(null);
      wake?.();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let next = Math.max(0, fromLine);
      // The replay in slices, so a long log is never copied whole (it may be replayed to a slow reader).
      const replayed = this.#lines.length;
      while (next < replayed) {
        const end = Math.min(replayed, next + REPLAY_BATCH);
        const batch: LogLine[] = [];
        for (; next < end; next++) batch.push({ n: next, text: this.#lines[next]! });
        yield batch;
      }
      if (this.#closed && !this.#listeners.has(listener)) {
        // Closed before we subscribed: the replay was everything.
        if (pending.length === 0) return;
      }
      while (true) {
        while (pending.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        const taken = pending;
        pending = [];
        const end = taken.indexOf(null);
        // Lines already sent in the replay are skipped.
        const batch = (end === -1 ? taken : taken.slice(0, end)).filter(
          (line): line is LogLine => line !== null && line.n >= next,
        );
        if (batch.length > 0) {
          next = batch.at(-1)!.n + 1;
          yield batch;
        }
        if (end !== -1) return;
      }
    } finally {
      this.#listeners.delete(listener);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

export interface BatchLinesOptions {
  /** The most lines in one batch, so one event stays small whatever the backlog. @default 1_000 */
  maxLines?: number;
}

/**
 * Lines in batches: each batch holds every line that came while the consumer was busy with the last one
 * (at most `maxLines`), so a fast writer costs one event per batch rather than per line, while a slow one
 * still gets each line at once. Takes the source's own batches (see `JobLog.followBatches`); order and
 * numbering are the source's.
 */
export async function* batchLines(
  batches: AsyncIterable<LogLine[]>,
  options: BatchLinesOptions = {},
): AsyncGenerator<LogLine[]> {
  const maxLines = options.maxLines ?? 1_000;
  const iterator = batches[Symbol.asyncIterator]();
  let buffer: LogLine[] = [];
  let done = false;
  let failed = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  // Reads ahead of the consumer: what it finds while a batch is out goes in the next one.
  void (async () => {
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        if (buffer.length === 0) buffer = next.value;
        else for (const line of next.value) buffer.push(line);
        wake?.();
      }
    } catch (error) {
      failed = true;
      failure = error;
    } finally {
      done = true;
      wake?.();
    }
  })();
  try {
    for (;;) {
      while (buffer.length === 0 && !done) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (buffer.length === 0) {
        if (failed) throw failure;
        return;
      }
      const batch = buffer.length <= maxLines ? buffer : buffer.slice(0, maxLines);
      buffer = batch === buffer ? [] : buffer.slice(maxLines);
      yield batch;
    }
  } finally {
    // Ends the source's follow; not awaited, since it may be waiting for a line that never comes.
    if (!done) void Promise.resolve(iterator.return?.(undefined)).catch(() => undefined);
  }
}
