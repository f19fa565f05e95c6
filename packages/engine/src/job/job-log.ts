/** One numbered output line; numbers start at 0 and have no gaps. */
export interface LogLine {
  n: number;
  text: string;
}

type Listener = (line: LogLine | null) => void;

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
    const pending: (LogLine | null)[] = [];
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
      const replay = this.#lines.slice(next);
      for (const text of replay) yield { n: next++, text };
      if (this.#closed && !this.#listeners.has(listener)) {
        // Closed before we subscribed: the replay was everything.
        if (pending.length === 0) return;
      }
      while (true) {
        while (pending.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        const line = pending.shift()!;
        if (line === null) return;
        // Already sent in the replay.
        if (line.n < next) continue;
        next = line.n + 1;
        yield line;
      }
    } finally {
      this.#listeners.delete(listener);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
