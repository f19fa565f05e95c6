// Shared by the benches that measure the product's own process: a bucket seeded as SpawnIt leaves it, and the
// built API (`pnpm start`'s main.mjs) spawned on it with S3 and OIDC served from the bench's process.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOidcProvider, createS3Server, fetchAccessToken } from '@spawnit/embedded';
import { createEngine, type Engine, type TargetRef } from '@spawnit/engine';
import { createEcho } from '../tests/support/engine.js';
import { freePort } from '../tests/support/free-port.js';
import { pool, type SeedObject } from './support.js';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Services as SpawnIt leaves them: `ids` created on the fixture catalog, the first `deployed` of them deployed
 * (one real apply, its state copied to the others), each with `jobsPerService` finished jobs and a status.
 */
export async function seedServices(options: {
  engine: Engine;
  clientId: string;
  ids: string[];
  deployed: number;
  jobsPerService: number;
  /**
   * Each copied state names its own service (the state is clear JSON: no passphrase here), so drift plans find
   * nothing to change, as for services deployed one by one; otherwise each plan finds a name to change.
   * @default false
   */
  inSync?: boolean;
}): Promise<void> {
  const { engine, clientId, ids, deployed, jobsPerService } = options;
  const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
  await engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  await engine.apply(network, (await engine.plan(network)).planId);
  await pool(ids, 16, (serviceId) => createEcho(engine, clientId, serviceId, { message: serviceId }));
  const first: TargetRef = { kind: 'service', clientId, serviceId: ids[0]! };
  await engine.apply(first, (await engine.plan(first)).planId);
  const state = (await engine.store.get(`clients/${clientId}/services/${ids[0]}/terraform.tfstate`))!.body;
  const firstParams = (await engine.resolve(first)).tfvars.params;
  /** The first service's state as `serviceId`'s: its name, and the outputs that echo its own parameters. */
  const stateOf = async (serviceId: string) => {
    const copy = JSON.parse(state.toString('utf8').replaceAll(ids[0]!, serviceId)) as {
      outputs: Record<string, { value: unknown }>;
    };
    const params = (await engine.resolve({ kind: 'service', clientId, serviceId })).tfvars.params;
    for (const [name, output] of Object.entries(copy.outputs)) {
      if (name in params && output.value === firstParams[name]) output.value = params[name];
    }
    return Buffer.from(JSON.stringify(copy));
  };
  const clock = { ms: Date.parse('2026-01-01T00:00:00Z') };
  await pool(ids.slice(0, deployed), 16, async (serviceId) => {
    const prefix = `clients/${clientId}/services/${serviceId}/`;
    for (const { key, body, contentType } of jobHistory(clientId, serviceId, jobsPerService, clock)) {
      await engine.store.put(key, body, contentType ? { contentType } : {});
    }
    if (serviceId !== ids[0]) {
      const copy = options.inSync ? await stateOf(serviceId) : state;
      await engine.store.put(`${prefix}terraform.tfstate`, copy);
    }
    await engine.store.putJson(`${prefix}status.json`, {
      status: 'compliant',
      checkedAt: new Date(clock.ms).toISOString(),
      source: 'job',
    });
  });
}

/**
 * A service's finished jobs as SpawnIt leaves them, for seeding: `count` records, plan and apply by turns, each a
 * second after `clock` (which moves on), each with a 40-line log.
 */
export function jobHistory(
  clientId: string,
  serviceId: string,
  count: number,
  clock: { ms: number },
): SeedObject[] {
  const objects: SeedObject[] = [];
  for (let j = 0; j < count; j += 1) {
    clock.ms += 1000;
    const id = randomUUID();
    const record = finishedJob(
      id,
      j % 2 === 0 ? 'plan' : 'apply',
      clientId,
      serviceId,
      new Date(clock.ms).toISOString(),
    );
    objects.push(
      {
        key: `clients/${clientId}/jobs/${id}.json`,
        body: `${JSON.stringify(record, null, 2)}\n`,
        contentType: 'application/json',
      },
      { key: `clients/${clientId}/jobs/${id}.log`, body: 'line\n'.repeat(40) },
    );
  }
  return objects;
}

/** A finished job's record as SpawnIt leaves it (a plan that found a change, or an apply), for seeding. */
export function finishedJob(
  id: string,
  kind: 'plan' | 'apply',
  clientId: string,
  serviceId: string,
  at: string,
) {
  return {
    id,
    kind,
    trigger: 'user',
    clientId,
    target: { kind: 'service', clientId, serviceId },
    state: 'succeeded',
    destroy: false,
    createdAt: at,
    startedAt: at,
    finishedAt: at,
    planId: randomUUID(),
    planStatus: kind === 'plan' ? 'drifted' : undefined,
    summary: { add: 1, change: 0, destroy: 0, resources: [], drift: [] },
    lineCount: 40,
  };
}

/**
 * What the benches of the built API run beside it: an embedded S3 server with `buckets`, an OIDC provider with
 * one user, and an engine on the fixture catalog to seed the first bucket, all in a scratch folder.
 */
export async function startBenchServices(name: string, buckets: string[]) {
  const scratch = await mkdtemp(path.join(tmpdir(), `spawnit-bench-${name}-`));
  const s3 = createS3Server({ directory: path.join(scratch, 's3'), buckets });
  const { endpoint } = await s3.start();
  const oidc = createOidcProvider({
    dataDir: path.join(scratch, 'oidc'),
    users: { alice: 'alice-bench-password' },
  });
  const { issuer } = await oidc.start();
  const token = async () =>
    (await fetchAccessToken({ issuer, username: 'alice', password: 'alice-bench-password' })).accessToken;
  // The API's client id is the token's subject.
  const clientId: string = JSON.parse(
    Buffer.from((await token()).split('.')[1]!, 'base64url').toString('utf8'),
  ).sub;
  const engine = await createEngine({
    store: { endpoint, bucket: buckets[0]!, ...s3.credentials },
    catalogDir: path.join(repo, 'tests/fixtures/catalog'),
    modulesDir: path.join(repo, 'tests/fixtures/modules'),
    dataDir: path.join(scratch, 'seed'),
  });
  return {
    scratch,
    engine,
    clientId,
    token,
    /** Where the built API finds S3 for `bucket`. */
    s3For: (bucket: string) => ({ endpoint, bucket, ...s3.credentials }),
    oidc: { issuer, audience: oidc.audience },
    async stop() {
      await oidc.stop();
      await s3.stop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

export interface BuiltApi {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** The built API on `bucket`, answering `/health`; `env` adds to (or overrides) its settings. */
export async function startBuiltApi(options: {
  dataDir: string;
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  oidc: { issuer: string; audience: string };
  env?: Record<string, string>;
}): Promise<BuiltApi> {
  // One the OS hands out: a port picked at random may be in use (the range holds the system's client ports).
  const port = await freePort();
  const child = spawn(
    'node',
    [
      ...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []),
      path.join(repo, 'packages/api/dist/main.mjs'),
    ],
    {
      cwd: repo,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        SPAWNIT_DATA_DIR: options.dataDir,
        SPAWNIT_CATALOG_DIR: path.join(repo, 'tests/fixtures/catalog'),
        SPAWNIT_MODULES_DIR: path.join(repo, 'tests/fixtures/modules'),
        SPAWNIT_S3_ENDPOINT: options.s3.endpoint,
        SPAWNIT_S3_REGION: 'us-east-1',
        SPAWNIT_S3_BUCKET: options.s3.bucket,
        SPAWNIT_S3_ACCESS_KEY_ID: options.s3.accessKeyId,
        SPAWNIT_S3_SECRET_ACCESS_KEY: options.s3.secretAccessKey,
        SPAWNIT_OIDC_ISSUER: options.oidc.issuer,
        SPAWNIT_OIDC_AUDIENCE: options.oidc.audience,
        SPAWNIT_OPERATION_TIMEOUT_MS: '600000',
        ...options.env,
      },
      stdio: ['ignore', process.env.BENCH_API_STDOUT ? 'inherit' : 'ignore', 'inherit'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the API exited ${child.exitCode} before answering`);
      const up = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) return { child, url, stop };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A GraphQL query to the built API as `bearer`: its data, or an error naming the query. */
export async function askApi<T>(url: string, bearer: string, query: string): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data!;
}
