// What a log burst's reader records, shared by bench/log-burst.ts and the subscriber process it starts.

// A burst line as the job's log shows it, and as tofu's `-json` output (what the engine reads) carries it.
export const BURST = /\(local-exec\): (\d+)$/;
export const BURST_JSON = /"output":"(\d+)"/;

export interface Line {
  n: number;
  text: string;
}
/** Arrival times of the burst's lines, and every line in the order received. */
export interface Received {
  lines: Line[];
  times: number[];
}

/** Notes each line, and the arrival time of each burst line, on a clock every process shares (ms). */
export function record(into: Received, lines: Line[], burst = BURST): void {
  // On the same clock as the subscriber's process.
  const now = performance.timeOrigin + performance.now();
  for (const line of lines) {
    into.lines.push(line);
    if (burst.test(line.text)) into.times.push(now);
  }
}
