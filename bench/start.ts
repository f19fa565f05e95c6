// How soon `pnpm start` answers: from spawning the process to `/health` answering 200, on the embedded defaults
// (S3 server and OIDC provider included), first start (fresh data folder) and later starts, next to a bare Node
// HTTP server spawned the same way, and to the sources run by tsx (what `start` ran before it was built).
//   npx --yes pnpm@10.34.8 bench:start [runs]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './support.js';

const runs = Number(process.argv[2] ?? 7);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(repo, 'packages/api/dist/main.mjs');
const tsx = path.join(repo, 'node_modules/.bin/tsx');
const work = await mkdtemp(path.join(tmpdir(), 'spawnit-bench-start-'));
const bare = path.join(work, 'bare.mjs');
await writeFile(
  bare,
  "import http from 'node:http';\nhttp.createServer((_q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n",
);

// Below the ephemeral range (32768 and up here): an outgoing connection cannot be holding the port.
let next = 24_100 + Math.floor(Math.random() * 8_000);

/** Milliseconds from the spawn to the first 200 from /health; then stops the process and waits for it. */
async function timeStart(command: string, args: string[], dataDir: string): Promise<number> {
  const port = next;
  next += 3;
  const started = performance.now();
  const child: ChildProcess = spawn(command, args, {
    cwd: repo,
    env: {
      ...process.env,
      PORT: String(port),
      SPAWNIT_DATA_DIR: dataDir,
      SPAWNIT_EMBEDDED_S3_PORT: String(port + 1),
      SPAWNIT_EMBEDDED_OIDC_PORT: String(port + 2),
      SPAWNIT_DRIFT_INTERVAL_MS: '0',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Kept to say why, should a start fail.
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`${command} ${args.join(' ')} exited ${child.exitCode}:\n${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const times: Record<string, number[]> = { bare: [], first: [], later: [], tsx: [] };
try {
  const kept = path.join(work, 'kept');
  await timeStart('node', [built], kept); // creates the data folder the later starts reuse
  // Interleaved, so every kind sees the same machine load.
  for (let i = 0; i < runs; i++) {
    times.bare!.push(await timeStart('node', [bare], path.join(work, 'unused')));
    const fresh = path.join(work, `fresh-${i}`);
    times.first!.push(await timeStart('node', [built], fresh));
    await rm(fresh, { recursive: true, force: true });
    times.later!.push(await timeStart('node', [built], kept));
    times.tsx!.push(await timeStart(tsx, ['packages/api/src/main.ts'], kept));
  }
  const baseline = median(times.bare!);
  const row = (label: string, key: string) => {
    const m = median(times[key]!);
    console.log(`  ${label.padEnd(52)} ${m.toFixed(0).padStart(6)} ms   ${(m / baseline).toFixed(1)}x`);
  };
  console.log(`spawn -> /health 200, median of ${runs}, ratio to the bare server:`);
  row('bare Node HTTP server (baseline)', 'bare');
  row('pnpm start (built), later start', 'later');
  row('pnpm start (built), first start (keys, users, bucket)', 'first');
  row('the sources under tsx (before), later start', 'tsx');
} finally {
  await rm(work, { recursive: true, force: true });
}
