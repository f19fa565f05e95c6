import { spawnThroughSpawner } from './spawner.js';

export type OutputStream = 'stdout' | 'stderr';

export interface RunTofuOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  /** Called for every output line as it arrives. */
  onLine?: (line: string, stream: OutputStream) => void;
  /** Aborting sends one interrupt; tofu then finishes its current step, saves state and releases its lock. */
  signal?: AbortSignal;
  /**
   * How long to wait after the interrupt before killing tofu and every process it started.
   * @default 30_000
   */
  gracePeriodMs?: number;
  /** Set to abort from outside without a signal: kills at once (used for a forced cancel). */
  forceSignal?: AbortSignal;
  /** Called with tofu's pid once it started (crash recovery records it). */
  onSpawn?: (pid: number) => void;
  /** Written to tofu's stdin, e.g. a decrypted state for `state push -`. @default stdin closed */
  input?: Buffer;
}

export interface RunTofuResult {
  command: string;
  exitCode: number | undefined;
  /** Every line, stdout and stderr interleaved as they came. */
  lines: string[];
  /** The stdout lines alone (for `-json` commands). */
  stdout: string[];
  /** The run was interrupted through `signal`. */
  isCanceled: boolean;
  /** The process tree was killed after the grace period or by `forceSignal`. */
  wasKilled: boolean;
}

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    // Negative pid: the whole process group, so local-exec grandchildren go too.
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Runs one tofu command non-interactively, streaming its lines. Never throws for a non-zero exit: the
 * caller decides what an exit code means (plan's 2 is not a failure).
 */
export async function runTofu(bin: string, args: string[], options: RunTofuOptions): Promise<RunTofuResult> {
  const command = [bin, ...args].join(' ');
  const lines: string[] = [];
  const stdout: string[] = [];
  let isCanceled = false;
  let wasKilled = false;
  const emit = (text: string, stream: OutputStream) => {
    lines.push(text);
    if (stream === 'stdout') stdout.push(text);
    options.onLine?.(text, stream);
  };
  // Split by hand, each chunk at once: a burst of thousands of lines costs no promise per line.
  const rest: Record<OutputStream, string> = { stdout: '', stderr: '' };
  const clean = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
  const run = spawnThroughSpawner(bin, args, {
    cwd: options.cwd,
    env: options.env,
    input: options.input,
    onOut: (stream, text) => {
      const parts = (rest[stream] + text).split('\n');
      rest[stream] = parts.pop()!;
      for (const part of parts) emit(clean(part), stream);
    },
  });
  const pid = await run.pid;
  if (pid) options.onSpawn?.(pid);
  let graceTimer: NodeJS.Timeout | undefined;
  let exited = false;
  const onAbort = () => {
    if (isCanceled || exited || !pid) return;
    isCanceled = true;
    // Exactly one interrupt, to tofu alone: a second one makes it exit at once and may lose state.
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // Already gone.
    }
    graceTimer = setTimeout(() => {
      wasKilled = true;
      killGroup(pid);
    }, options.gracePeriodMs ?? 30_000);
  };
  const onForce = () => {
    isCanceled = true;
    wasKilled = true;
    killGroup(pid);
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.forceSignal?.aborted) onForce();
  options.forceSignal?.addEventListener('abort', onForce, { once: true });
  try {
    const result = await run.exited;
    exited = true;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (rest[stream] !== '') emit(clean(rest[stream]), stream);
    }
    if (result.error) emit(`Could not run ${bin}: ${result.error}`, 'stderr');
    return { command, exitCode: result.exitCode, lines, stdout, isCanceled, wasKilled };
  } finally {
    clearTimeout(graceTimer);
    options.signal?.removeEventListener('abort', onAbort);
    options.forceSignal?.removeEventListener('abort', onForce);
    // Provisioners' children can outlive tofu; nothing of a finished run may keep running.
    killGroup(pid);
  }
}
