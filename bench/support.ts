import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createS3Server, type S3Credentials } from '@spawnit/embedded';
import { createEngine, type Engine } from '@spawnit/engine';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The embedded S3 server in a process of its own (`s3-process.ts`), its pid for its CPU. */
async function startS3Process(directory: string) {
  const child = spawn(
    path.join(repo, 'node_modules', '.bin', 'tsx'),
    [path.join(repo, 'bench', 's3-process.ts'), directory],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { endpoint, credentials, pid } = JSON.parse(line) as {
    endpoint: string;
    credentials: S3Credentials;
    pid: number;
  };
  return {
    endpoint,
    credentials,
    pid,
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * An engine on the fixture catalog against an embedded S3 server in a scratch folder: in this process, or
 * with `s3: 'process'` in one of its own, as an external S3 (`s3Pid` then names it).
 */
export async function benchEngine(options: { s3?: 'in-process' | 'process' } = {}): Promise<{
  engine: Engine;
  /** The bucket's folder on disk, for `writeObjectsDirectly`. */
  bucketDirectory: string;
  /**
   * A new engine on the same bucket and folder, as after a restart (with other settings, when given; a
   * `dataDir` name is a folder of its own in the scratch folder, as another machine's).
   */
  reopen(settings?: { databaseUrl?: string; dataDir?: string }): Promise<Engine>;
  close(): Promise<void>;
  /** The S3 server's process, with `s3: 'process'`. */
  s3Pid: number | undefined;
}> {
  // As the product does at start (packages/api/src/main.ts): what tofu writes is the owner's only.
  process.umask(0o077);
  const scratch = await mkdtemp(path.join(tmpdir(), 'spawnit-bench-'));
  const directory = path.join(scratch, 's3');
  const s3 =
    options.s3 === 'process'
      ? await startS3Process(directory)
      : await (async () => {
          const server = createS3Server({ directory, buckets: ['spawnit'] });
          await server.start();
          return {
            endpoint: server.endpoint,
            credentials: server.credentials,
            pid: undefined,
            stop: () => server.stop(),
          };
        })();
  const { endpoint } = s3;
  const open = ({ dataDir = 'engine', ...settings }: { databaseUrl?: string; dataDir?: string } = {}) =>
    createEngine({
      ...settings,
      store: { endpoint, bucket: 'spawnit', ...s3.credentials },
      catalogDir: path.join(repo, 'tests/fixtures/catalog'),
      modulesDir: path.join(repo, 'tests/fixtures/modules'),
      dataDir: path.join(scratch, dataDir),
    });
  const engine = await open();
  return {
    engine,
    bucketDirectory: path.join(scratch, 's3', 'buckets', 'spawnit'),
    s3Pid: s3.pid,
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
export async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

/** An object as the store's `put` would leave it: its bytes and its content type and user metadata. */
export interface SeedObject {
  key: string;
  body: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

/**
 * Writes objects straight into the embedded S3 server's folder, in its layout (object, MD5 for the ETag,
 * metadata), without the fsync of each PUT: seeding tens of thousands of objects in seconds, not minutes.
 * Only for a bucket the server is not writing to at the same time.
 */
export async function writeObjectsDirectly(bucketDirectory: string, objects: SeedObject[]): Promise<void> {
  const made = new Map<string, Promise<unknown>>();
  await pool(objects, 32, async ({ key, body, contentType, metadata = {} }) => {
    const file = path.join(bucketDirectory, ...key.split('/'));
    const folder = path.dirname(file);
    if (!made.has(folder)) made.set(folder, mkdir(folder, { recursive: true }));
    await made.get(folder);
    const meta: Record<string, string> = { 'content-type': contentType ?? 'application/octet-stream' };
    for (const [name, value] of Object.entries(metadata)) meta[`x-amz-meta-${name}`] = value;
    await Promise.all([
      writeFile(`${file}._S3rver_object`, body),
      writeFile(`${file}._S3rver_object.md5`, createHash('md5').update(body).digest('hex')),
      writeFile(`${file}._S3rver_metadata.json`, JSON.stringify(meta, null, 2)),
    ]);
  });
}
