import { type ChildProcess, spawn } from 'node:child_process';

/**
 * The spawner's program, plain CommonJS run with `node -e` (no file to find beside a bundle). It starts each
 * command in a process group of its own and sends back its pid, its output as decoded text, and its end.
 */
const PROGRAM = `
const { spawn } = require('node:child_process');
const send = (message) => { if (process.connected) process.send(message); };
process.on('message', (m) => {
  let child;
  let ended = false;
  const end = (message) => { if (!ended) { ended = true; send({ op: 'exit', id: m.id, ...message }); } };
  try {
    child = spawn(m.file, m.args, {
      cwd: m.cwd,
      env: m.env,
      detached: true,
      stdio: [m.input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    end({ error: String((error && error.message) || error) });
    return;
  }
  child.once('error', (error) => end({ error: String((error && error.message) || error) }));
  if (child.pid) send({ op: 'spawned', id: m.id, pid: child.pid });
  for (const stream of ['stdout', 'stderr']) {
    child[stream].setEncoding('utf8');
    child[stream].on('data', (text) => send({ op: 'out', id: m.id, stream, text }));
  }
  if (m.input) {
    child.stdin.on('error', () => {});
    child.stdin.end(Buffer.from(m.input));
  }
  child.once('close', (code, signal) => end({ code, signal }));
});
process.on('disconnect', () => process.exit(0));
`;

export interface SpawnedRun {
  /** The command's pid once it started; undefined when it could not start. */
  pid: Promise<number | undefined>;
  /** Its exit code (undefined when a signal ended it or it never started), and why it never started. */
  exited: Promise<{ exitCode: number | undefined; error?: string }>;
}

interface Pending {
  onPid(pid: number | undefined): void;
  onOut(stream: 'stdout' | 'stderr', text: string): void;
  onExit(exitCode: number | undefined, error?: string): void;
}

type Message =
  | { op: 'spawned'; id: number; pid: number }
  | { op: 'out'; id: number; stream: 'stdout' | 'stderr'; text: string }
  | { op: 'exit'; id: number; code?: number | null; signal?: string | null; error?: string };

let spawner: ChildProcess | undefined;
const pending = new Map<number, Pending>();
let nextId = 0;

/** Holds this process open while a command runs through the spawner, and lets it exit when none does. */
function holdWhileBusy(child: ChildProcess): void {
  if (pending.size > 0) {
    child.ref();
    child.channel?.ref();
  } else {
    child.unref();
    child.channel?.unref();
  }
}

function spawnerProcess(): ChildProcess {
  if (spawner?.connected) return spawner;
  // Loaders and profilers given to this process are not the spawner's business.
  const { NODE_OPTIONS: _, ...env } = process.env;
  const child = spawn(process.execPath, ['-e', PROGRAM], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  child.on('message', (message: Message) => {
    const run = pending.get(message.id);
    if (!run) return;
    if (message.op === 'spawned') run.onPid(message.pid);
    else if (message.op === 'out') run.onOut(message.stream, message.text);
    else {
      pending.delete(message.id);
      holdWhileBusy(child);
      run.onExit(typeof message.code === 'number' ? message.code : undefined, message.error);
    }
  });
  child.once('exit', () => {
    if (spawner === child) spawner = undefined;
    // Its commands run on in their own process groups, but their output is gone: they count as failed.
    for (const [id, run] of pending) {
      pending.delete(id);
      run.onExit(undefined, 'the process that started tofu stopped');
    }
  });
  spawner = child;
  return child;
}

/**
 * Starts `file` in a process group of its own, from a small long-lived spawner process rather than from this
 * one. Starting a process forks its parent, copying its page tables: from the API's 200-300 MiB it blocked
 * the event loop for 2-12 ms per tofu run (measured by bench:drift-promise's profile); from the spawner's few
 * tens it costs well under a millisecond, and not on this event loop.
 */
export function spawnThroughSpawner(
  file: string,
  args: string[],
  options: {
    cwd: string;
    env: Record<string, string | undefined>;
    input?: Buffer;
    onOut: (stream: 'stdout' | 'stderr', text: string) => void;
  },
): SpawnedRun {
  const id = nextId++;
  let resolvePid!: (pid: number | undefined) => void;
  const pid = new Promise<number | undefined>((resolve) => {
    resolvePid = resolve;
  });
  const exited = new Promise<{ exitCode: number | undefined; error?: string }>((resolve) => {
    pending.set(id, {
      onPid: resolvePid,
      onOut: options.onOut,
      onExit: (exitCode, error) => {
        resolvePid(undefined);
        resolve({ exitCode, error });
      },
    });
  });
  const child = spawnerProcess();
  holdWhileBusy(child);
  const env = Object.fromEntries(Object.entries(options.env).filter(([, value]) => value !== undefined));
  child.send({ id, file, args, cwd: options.cwd, env, input: options.input });
  return { pid, exited };
}

/** The spawner's pid while it runs (the parent of every tofu this process starts), for measuring its CPU. */
export function tofuSpawnerPid(): number | undefined {
  return spawner?.pid;
}
