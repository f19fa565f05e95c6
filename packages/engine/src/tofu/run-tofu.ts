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
  // Loaded at the first run, not at start: a start that runs no tofu does not pay for it.
  const { execa } = await import('execa');
  const subprocess = execa(bin, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    ...(options.input ? { input: options.input } : { stdin: 'ignore' as const }),
    reject: false,
    buffer: false,
    // Its own process group, so a kill reaches the providers and provisioners it started.
    detached: true,
    // tofu treats SIGINT and SIGTERM alike; execa must not send either on its own.
    killSignal: 'SIGKILL',
  });
  if (subprocess.pid) options.onSpawn?.(subprocess.pid);
  let graceTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    if (isCanceled || subprocess.exitCode !== null) return;
    isCanceled = true;
    // Exactly one interrupt: a second one makes tofu exit at once and may lose state.
    subprocess.kill('SIGINT');
    graceTimer = setTimeout(() => {
      wasKilled = true;
      killGroup(subprocess.pid);
    }, options.gracePeriodMs ?? 30_000);
  };
  const onForce = () => {
    isCanceled = true;
    wasKilled = true;
    killGroup(subprocess.pid);
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.forceSignal?.aborted) onForce();
  options.forceSignal?.addEventListener('abort', onForce, { once: true });

  const emit = (text: string, stream: OutputStream) => {
    lines.push(text);
    if (stream === 'stdout') stdout.push(text);
    options.onLine?.(text, stream);
  };
  // Split by hand, each chunk at once: a burst of thousands of lines costs no promise per line.
  const pump = (stream: OutputStream) =>
    new Promise<void>((resolve, reject) => {
      const source = subprocess[stream];
      let rest = '';
      source.setEncoding('utf8');
      source.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        for (const part of parts) emit(part.endsWith('\r') ? part.slice(0, -1) : part, stream);
      });
      source.once('end', () => {
        if (rest !== '') emit(rest.endsWith('\r') ? rest.slice(0, -1) : rest, stream);
        resolve();
      });
      source.once('error', reject);
    });
  try {
    await Promise.all([pump('stdout'), pump('stderr')]);
    const result = await subprocess;
    return { command, exitCode: result.exitCode, lines, stdout, isCanceled, wasKilled };
  } finally {
    clearTimeout(graceTimer);
    options.signal?.removeEventListener('abort', onAbort);
    options.forceSignal?.removeEventListener('abort', onForce);
    // Provisioners' children can outlive tofu; nothing of a finished run may keep running.
    killGroup(subprocess.pid);
  }
}
