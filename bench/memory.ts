// Memory of the API process at scale: the built API (`pnpm start`'s main.mjs) spawned on its own, with the drift
// loop on, over a bucket of N services (D deployed, with job history), after rounds of the `services` query with
// the web UI's fields and `jobs(limit: 100)`, next to the same process over an empty bucket. RSS is read from
// /proc (the process alone: S3 and OIDC run in this script, tofu in children of the API).
//   npx --yes pnpm@10.34.8 bench:memory [services] [deployed] [seconds of drift after the queries]
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOidcProvider, createS3Server, fetchAccessToken } from '@spawnit/embedded';
import { createEngine, type TargetRef } from '@spawnit/engine';
import { pool } from './support.js';

const services = Number(process.argv[2] ?? 1000);
const deployed = Number(process.argv[3] ?? 200);
const driftSeconds = Number(process.argv[4] ?? 30);
const rounds = 5;
const jobsPerService = 5;
const TARGET_MIB = 300;
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const QUERIES = {
  'services (UI fields)': `{ services { id templateId template { id name } provider networkName deployed updatedAt status { status checkedAt } } }`,
  'jobs(limit: 100)': `{ jobs(limit: 100) { id kind destroy state trigger planStatus targetKind serviceId networkName networkProvider createdAt startedAt finishedAt } }`,
};
const LAST_PLAN = `{ services { id lastPlan { id state planStatus summary { add change destroy } } } }`;

const scratch = await mkdtemp(path.join(tmpdir(), 'spawnit-bench-memory-'));
const s3 = createS3Server({ directory: path.join(scratch, 's3'), buckets: ['spawnit', 'empty'] });
const { endpoint } = await s3.start();
const oidc = createOidcProvider({
  dataDir: path.join(scratch, 'oidc'),
  users: { alice: 'alice-bench-password' },
});
const { issuer } = await oidc.start();
const token = async () =>
  (await fetchAccessToken({ issuer, username: 'alice', password: 'alice-bench-password' })).accessToken;
// The API's client id is the token's subject.
const clientId = JSON.parse(Buffer.from((await token()).split('.')[1]!, 'base64url').toString('utf8')).sub;

const mib = (kib: number) => kib / 1024;
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: mib(kib('VmRSS')), peak: mib(kib('VmHWM')) };
}

/** Seeds the bucket as SpawnIt leaves it: services, one real deployment copied to the others, history, status. */
const engine = await createEngine({
  store: { endpoint, bucket: 'spawnit', ...s3.credentials },
  catalogDir: path.join(repo, 'tests/fixtures/catalog'),
  modulesDir: path.join(repo, 'tests/fixtures/modules'),
  dataDir: path.join(scratch, 'seed'),
});
const ids = Array.from({ length: services }, (_, i) => `svc-${String(i).padStart(4, '0')}`);

/** How many deployed services the drift loop checked since `since` (their status.json says when). */
async function checkedSince(since: number): Promise<number> {
  let checked = 0;
  await pool(ids.slice(0, deployed), 16, async (serviceId) => {
    const status = await engine.store.getJson<{ checkedAt: string; source?: string }>(
      `clients/${clientId}/services/${serviceId}/status.json`,
    );
    if (status && Date.parse(status.checkedAt) >= since) checked += 1;
  });
  return checked;
}

async function seed(): Promise<void> {
  const t0 = performance.now();
  const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
  await engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  await engine.apply(network, (await engine.plan(network)).planId);
  await pool(ids, 16, async (serviceId) => {
    await engine.createService({
      clientId,
      serviceId,
      templateId: 'echo',
      provider: 'local',
      networkName: 'default',
      params: { message: serviceId },
    });
  });
  // One real apply; its state, copied, makes the others deployed (their drift plans find a name to change).
  const first: TargetRef = { kind: 'service', clientId, serviceId: ids[0]! };
  await engine.apply(first, (await engine.plan(first)).planId);
  const state = (await engine.store.get(`clients/${clientId}/services/${ids[0]}/terraform.tfstate`))!.body;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  await pool(ids.slice(0, deployed), 16, async (serviceId) => {
    const prefix = `clients/${clientId}/services/${serviceId}/`;
    for (let j = 0; j < jobsPerService; j += 1) {
      clock += 1000;
      const at = new Date(clock).toISOString();
      const id = randomUUID();
      const kind = j % 2 === 0 ? 'plan' : 'apply';
      await engine.store.putJson(`clients/${clientId}/jobs/${id}.json`, {
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
      });
      await engine.store.put(`clients/${clientId}/jobs/${id}.log`, 'line\n'.repeat(40));
    }
    if (serviceId !== ids[0]) await engine.store.put(`${prefix}terraform.tfstate`, state);
    await engine.store.putJson(`${prefix}status.json`, {
      status: 'compliant',
      checkedAt: new Date(clock).toISOString(),
      source: 'job',
    });
  });
  console.log(
    `seeded ${services} services (${deployed} deployed, ${deployed * jobsPerService} jobs) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
}

interface Measured {
  /** After the rounds of listing queries. */
  afterQueries: number;
  /** At the end of the drift period. */
  afterDrift: number;
  /** The highest RSS sampled over the whole run (VmHWM). */
  peak: number;
  /** After `services { lastPlan }` too. */
  afterLastPlan: number;
  /** p50 of each listing query, ms. */
  timings: Record<string, number>;
  /** Deployed services the drift loop checked during the run. */
  checked: number;
}

let nextPort = 26_000 + Math.floor(Math.random() * 20_000);

/** Spawns the built API on `bucket`, runs the queries, lets the drift loop run, and reads its memory. */
async function measure(bucket: string): Promise<Measured> {
  const port = nextPort;
  nextPort += 1;
  const since = Date.now();
  const child: ChildProcess = spawn(
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
        SPAWNIT_DATA_DIR: path.join(scratch, `api-${bucket}`),
        SPAWNIT_CATALOG_DIR: path.join(repo, 'tests/fixtures/catalog'),
        SPAWNIT_MODULES_DIR: path.join(repo, 'tests/fixtures/modules'),
        SPAWNIT_S3_ENDPOINT: endpoint,
        SPAWNIT_S3_REGION: 'us-east-1',
        SPAWNIT_S3_BUCKET: bucket,
        SPAWNIT_S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        SPAWNIT_S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
        SPAWNIT_OIDC_ISSUER: issuer,
        SPAWNIT_OIDC_AUDIENCE: oidc.audience,
        SPAWNIT_DRIFT_INTERVAL_MS: '10000',
        SPAWNIT_OPERATION_TIMEOUT_MS: '600000',
      },
      stdio: ['ignore', process.env.BENCH_API_STDOUT ? 'inherit' : 'ignore', 'inherit'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the API exited ${child.exitCode} before answering`);
      if (
        await fetch(`${url}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const bearer = await token();
    const ask = async (query: string) => {
      const t = performance.now();
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors).slice(0, 500)}`);
      return performance.now() - t;
    };
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(QUERIES).map((k) => [k, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [name, query] of Object.entries(QUERIES)) samples[name]!.push(await ask(query));
    }
    const afterQueries = (await memoryOf(child.pid!)).rss;
    const started = Date.now();
    const trace: string[] = [];
    while (Date.now() - started < driftSeconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      trace.push(
        `${((Date.now() - started) / 1000).toFixed(0)}s ${(await memoryOf(child.pid!)).rss.toFixed(0)}`,
      );
    }
    console.log(`  ${bucket}: RSS (MiB) every 5 s of drift: ${trace.join(', ')}`);
    const afterDrift = (await memoryOf(child.pid!)).rss;
    await ask(LAST_PLAN);
    const { rss: afterLastPlan, peak } = await memoryOf(child.pid!);
    const timings = Object.fromEntries(
      Object.entries(samples).map(([name, values]) => [
        name,
        values.sort((a, b) => a - b)[values.length >> 1]!,
      ]),
    );
    return { afterQueries, afterDrift, afterLastPlan, peak, timings, checked: await checkedSince(since) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

try {
  const empty = await measure('empty');
  await seed();
  const full = await measure('spawnit');
  const row = (label: string, key: keyof Omit<Measured, 'timings' | 'checked'>, target = true) => {
    const verdict = target ? (full[key] < TARGET_MIB ? 'ok' : 'OVER TARGET') : '';
    console.log(
      `  ${label.padEnd(58)} ${full[key].toFixed(0).padStart(6)} MiB ${empty[key].toFixed(0).padStart(8)} MiB  ${(full[key] - empty[key]).toFixed(0).padStart(6)} MiB  ${verdict}`,
    );
  };
  console.log(
    `\nAPI process RSS, ${services} services (${deployed} deployed) vs no services; drift loop on (10 s); target < ${TARGET_MIB} MiB:`,
  );
  console.log(
    `  ${''.padEnd(58)} ${'N services'.padStart(10)} ${'no services'.padStart(12)} ${'extra'.padStart(10)}`,
  );
  row(`after ${rounds} rounds of services (UI fields) + jobs(limit: 100)`, 'afterQueries');
  row(`after ${driftSeconds} s more of the drift loop`, 'afterDrift');
  row('after one services { lastPlan } too', 'afterLastPlan');
  row('peak over the whole run (VmHWM)', 'peak');
  console.log(
    `  drift checks meanwhile: ${full.checked} of ${deployed} deployed services checked during the run`,
  );
  for (const name of Object.keys(QUERIES)) {
    console.log(
      `  p50 ${name}: ${full.timings[name]!.toFixed(0)} ms (no services: ${empty.timings[name]!.toFixed(0)} ms)`,
    );
  }
} finally {
  await oidc.stop();
  await s3.stop();
  await rm(scratch, { recursive: true, force: true });
}
