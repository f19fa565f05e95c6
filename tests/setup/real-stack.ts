/**
 * Vitest global setup: prepares the real stack (OpenTofu, the provider mirror, a dockerd, the local images)
 * with scripts/stack/prepare.sh, cached by version, and hands its environment to every test process. It stops
 * the dockerd at the end only when it started it. A failure here fails the run with what is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STACK = path.join(REPO_ROOT, 'scripts/stack');

function prepare(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(STACK, 'prepare.sh')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(stdout)
        : reject(
            new Error(
              `scripts/stack/prepare.sh failed (exit ${code}): the real-stack tests need OpenTofu, the provider mirror, Docker and the local images; its output above says which part failed.`,
            ),
          ),
    );
  });
}

export default async function setup(): Promise<() => void> {
  const stdout = await prepare();
  let started = false;
  for (const line of stdout.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, name, value] = match as unknown as [string, string, string];
    if (name === 'SPAWNIT_STACK_STARTED_DOCKERD') started = value === '1';
    // Test processes are forked after this, with this environment.
    else process.env[name] = value;
  }
  return () => {
    if (started) spawnSync('bash', [path.join(STACK, 'stop-dockerd.sh')], { stdio: 'inherit' });
  };
}
