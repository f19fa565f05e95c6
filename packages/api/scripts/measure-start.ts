/**
 * How long `start` takes to be ready: runs the README's command (`npx pnpm@10.34.8 start`) in a fresh data dir,
 * times from the spawn to GraphiQL answering 200, stops it with SIGINT, and does it again on the same data dir
 * (a later start). Usage: `npx pnpm@10.34.8 exec tsx packages/api/scripts/measure-start.ts [later starts, default 2]`
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../src/config.js';

const later = Number(process.argv[2] ?? 2);
const port = process.env.PORT ?? '4000';
const url = `http://127.0.0.1:${port}/graphql`;
const dataDir = await mkdtemp(path.join(tmpdir(), 'spawnit-measure-'));

async function measure(label: string): Promise<number> {
  const started = performance.now();
  const child = spawn('npx', ['pnpm@10.34.8', 'start'], {
    cwd: REPO_ROOT,
    env: { ...process.env, SPAWNIT_DATA_DIR: dataDir },
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let ready: number | undefined;
  while (ready === undefined) {
    if (child.exitCode !== null) throw new Error(`${label}: start exited with ${child.exitCode}`);
    const status = await fetch(url, { headers: { accept: 'text/html' } }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) ready = performance.now() - started;
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.kill(-child.pid!, 'SIGINT');
  await exited;
  process.stdout.write(
    `${label}: GraphiQL answered ${(ready / 1000).toFixed(2)} s after the command started\n`,
  );
  return ready;
}

try {
  await measure('first start (fresh data dir)');
  for (let i = 1; i <= later; i++) await measure(`later start ${i}`);
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
