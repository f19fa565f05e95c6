import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createS3Server } from '@spawnit/embedded';
import { createEngine, type Engine } from '@spawnit/engine';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** An engine on the fixture catalog against an embedded S3 server in a scratch folder. */
export async function benchEngine(): Promise<{
  engine: Engine;
  /** A new engine on the same bucket and folder, as after a restart (with other settings, when given). */
  reopen(settings?: { databaseUrl?: string }): Promise<Engine>;
  close(): Promise<void>;
}> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'spawnit-bench-'));
  const s3 = createS3Server({ directory: path.join(scratch, 's3'), buckets: ['spawnit'] });
  const { endpoint } = await s3.start();
  const open = (settings: { databaseUrl?: string } = {}) =>
    createEngine({
      ...settings,
      store: { endpoint, bucket: 'spawnit', ...s3.credentials },
      catalogDir: path.join(repo, 'tests/fixtures/catalog'),
      modulesDir: path.join(repo, 'tests/fixtures/modules'),
      dataDir: path.join(scratch, 'engine'),
    });
  const engine = await open();
  return {
    engine,
    reopen: open,
    async close() {
      await s3.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** The environment the engine gives tofu, to run the same command by hand. */
export function tofuEnv(engine: Engine): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_CLI_CONFIG_FILE: path.join(engine.dataDir, 'tofu.tfrc'),
  };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Runs `task` over `items` with at most `limit` at a time. */
export async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}
