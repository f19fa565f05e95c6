// Listing latency at scale: the `services` query with the web UI's fields, `services { lastPlan }` and
// `jobs(limit: 100)`, through the real API in process (`yoga.fetch`), each next to a bare Yoga server that
// returns the same JSON from memory (same SDL, no resolvers beyond reading properties); in process, then with
// the index in PostgreSQL (a cluster of its own, as the tests start one). Several sizes at once
// (`1000,10000`) end with a table of every size and mode side by side. The objects are written straight into
// the embedded S3 server's folder (the first service through the engine, the others its bytes with their own
// id; job records, states and statuses as SpawnIt writes them), so 10,000 services seed in seconds.
//   npx --yes pnpm@10.34.8 bench:listings [services[,services...]] [with-history] [jobs-per-service]
// with-history defaults to a fifth of the services, so that with 5 jobs each there are as many jobs as services.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, type TokenVerifier } from '@spawnit/api';
import { createOperations, type Engine } from '@spawnit/engine';
import { createSchema, createYoga } from 'graphql-yoga';
import { startPostgres } from '../tests/support/postgres.js';
import { jobHistory } from './built-api.js';
import { benchEngine, type SeedObject, writeObjectsDirectly } from './support.js';

const sizes = (process.argv[2] ?? '1000').split(',').map(Number);
const jobsPerService = Number(process.argv[4] ?? 5);
const clientId = 'alice';
const sdl = await readFile(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/api/schema.graphql'),
  'utf8',
);

const QUERIES = {
  'services (UI fields)': `{ services { id templateId template { id name } provider networkName deployed updatedAt status { status checkedAt } } }`,
  'services { lastPlan }': `{ services { id lastPlan { id state planStatus summary { add change destroy } } } }`,
  'jobs(limit: 100)': `{ jobs(limit: 100) { id kind destroy state trigger planStatus targetKind serviceId networkName networkProvider createdAt startedAt finishedAt } }`,
};

/** A managed resource in a state, which is all "deployed" means; written as tofu's S3 backend would. */
const DEPLOYED_STATE = JSON.stringify({
  version: 4,
  serial: 1,
  lineage: 'bench',
  resources: [{ mode: 'managed', type: 'terraform_data', name: 'this', instances: [{ attributes: {} }] }],
  outputs: {},
});

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
};

type Timing = { p50: number; p99: number };

async function time(runs: number, run: () => Promise<unknown>): Promise<Timing> {
  for (let i = 0; i < 5; i += 1) await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

const verifier: TokenVerifier = {
  issuer: 'bench',
  audience: 'bench',
  verify: async () => ({
    clientId,
    username: clientId,
    roles: [],
    isAdmin: false,
    expiresAt: new Date(Date.now() + 3_600_000),
  }),
};
type Fetch = ReturnType<typeof buildApp>['yoga']['fetch'];
const ask = async (fetcher: Fetch, query: string) => {
  const response = await fetcher('http://bench/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench' },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return body.data!;
};
const ms = (t: Timing) => `${t.p50.toFixed(1)}/${t.p99.toFixed(1)} ms`;

/** Every object SpawnIt would have left for `services` services, `withHistory` of them deployed with jobs. */
async function seed(writer: Engine, bucketDirectory: string, services: number, withHistory: number) {
  const ids = Array.from({ length: services }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
  const configKey = (serviceId: string) => `clients/${clientId}/services/${serviceId}/terraform.tfvars.json`;
  // The first through the engine: the others are its configuration with their own id.
  await writer.createService({
    clientId,
    serviceId: ids[0]!,
    templateId: 'echo',
    provider: 'local',
    networkName: 'default',
    params: { message: ids[0] },
  });
  const first = await writer.store.get(configKey(ids[0]!));
  if (!first) throw new Error(`the engine wrote no ${configKey(ids[0]!)}`);
  const template = first.body.toString('utf8');
  const objects: SeedObject[] = ids.slice(1).map((serviceId) => ({
    key: configKey(serviceId),
    body: template.replaceAll(ids[0]!, serviceId),
    contentType: 'application/json',
    metadata: first.metadata,
  }));
  const json = (key: string, value: unknown): SeedObject => ({
    key,
    body: `${JSON.stringify(value, null, 2)}\n`,
    contentType: 'application/json',
  });
  // History, state and status as SpawnIt's jobs leave them.
  const clock = { ms: Date.parse('2026-01-01T00:00:00Z') };
  for (const serviceId of ids.slice(0, withHistory)) {
    const prefix = `clients/${clientId}/services/${serviceId}/`;
    objects.push(...jobHistory(clientId, serviceId, jobsPerService, clock));
    objects.push(
      { key: `${prefix}terraform.tfstate`, body: DEPLOYED_STATE },
      json(`${prefix}status.json`, {
        status: 'compliant',
        checkedAt: new Date(clock.ms).toISOString(),
        source: 'job',
      }),
    );
  }
  await writeObjectsDirectly(bucketDirectory, objects);
}

/** The listings through the real API on `engine`, each next to a bare server with the same JSON. */
async function measure(
  mode: string,
  engine: Engine,
  expected: { lastPlans: number; jobs: number; runs: number },
): Promise<Record<string, { real: Timing; bare: Timing }>> {
  const app = buildApp({
    engine,
    operations: createOperations({ engine }),
    verifier,
    port: 0,
    logging: 'error',
    operationTimeoutMs: 600_000,
  });
  const t1 = performance.now();
  const answers: Record<string, Record<string, unknown>> = {};
  for (const [name, query] of Object.entries(QUERIES)) answers[name] = await ask(app.yoga.fetch, query);
  console.log(
    `\n${mode}: first answers after start (what a start reads from S3 included): ${((performance.now() - t1) / 1000).toFixed(2)} s`,
  );
  const lastPlans = (answers['services { lastPlan }']!.services as { lastPlan: unknown }[]).filter(
    (s) => s.lastPlan,
  );
  const jobs = answers['jobs(limit: 100)']!.jobs as unknown[];
  if (lastPlans.length !== expected.lastPlans || jobs.length !== expected.jobs) {
    throw new Error(
      `${mode}: found ${lastPlans.length} last plans and ${jobs.length} jobs: the listing misses what S3 holds`,
    );
  }
  console.log(`p50 and p99 of ${expected.runs} runs each, ${mode}, through yoga.fetch, one user:`);
  console.log(
    `${'query'.padEnd(24)} ${'spawnit p50/p99'.padStart(20)} ${'bare p50/p99'.padStart(18)}  ratio p50/p99`,
  );
  const results: Record<string, { real: Timing; bare: Timing }> = {};
  for (const [name, query] of Object.entries(QUERIES)) {
    const data = answers[name]!;
    // The same SDL, answering from memory: the floor any GraphQL server pays for this JSON.
    const bare = createYoga({
      schema: createSchema({
        typeDefs: sdl,
        resolvers: { Query: Object.fromEntries(Object.keys(data).map((k) => [k, () => data[k]])) },
      }),
      logging: false,
    });
    const same = JSON.stringify(await ask(bare.fetch as Fetch, query)) === JSON.stringify(data);
    if (!same) throw new Error(`the baseline of ${name} does not return the same JSON`);
    const real = await time(expected.runs, () => ask(app.yoga.fetch, query));
    const base = await time(expected.runs, () => ask(bare.fetch as Fetch, query));
    results[name] = { real, bare: base };
    console.log(
      `${name.padEnd(24)} ${ms(real).padStart(20)} ${ms(base).padStart(18)}  ${(real.p50 / base.p50).toFixed(1)}x/${(real.p99 / base.p99).toFixed(1)}x`,
    );
  }
  return results;
}

/** Seeds `services` services and their jobs in a bucket of their own, then measures both modes on it. */
async function runAt(services: number) {
  const withHistory = Number(process.argv[3] ?? Math.round(services / 5));
  const runs = Number(process.env.BENCH_RUNS ?? Math.max(30, Math.min(100, 100_000 / services)));
  const expected = { lastPlans: withHistory, jobs: Math.min(100, withHistory * jobsPerService), runs };
  const { engine: writer, bucketDirectory, reopen, close } = await benchEngine();
  const results: Record<string, Record<string, { real: Timing; bare: Timing }>> = {};
  try {
    const t0 = performance.now();
    await seed(writer, bucketDirectory, services, withHistory);
    console.log(
      `\n### ${services} services (${withHistory} deployed, ${withHistory * jobsPerService} jobs) written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    // A fresh engine on that bucket, as after a restart: what it lists, it finds from S3.
    results['in process'] = await measure('in process', await reopen(), expected);
    // The same bucket with the index in PostgreSQL (the scaled-out mode), filled from S3 by its first use.
    const pg = await startPostgres();
    try {
      const inDatabase = await reopen({ databaseUrl: pg.url });
      results.PostgreSQL = await measure('PostgreSQL index', inDatabase, expected);
      await inDatabase.close();
    } finally {
      await pg.close();
    }
    console.log(`\nRSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    // Another start on the same bucket: what the first one read and the bucket still holds unchanged (ETags)
    // need not be read again, where the engine keeps such a record.
    const again = await reopen();
    const t2 = performance.now();
    const second = buildApp({
      engine: again,
      operations: createOperations({ engine: again }),
      verifier,
      port: 0,
      // At 10,000 services this first answer takes longer than the default 10 s: measured, not refused.
      operationTimeoutMs: 600_000,
    });
    await ask(second.yoga.fetch, QUERIES['services (UI fields)']);
    console.log(`first answer after a second start: ${((performance.now() - t2) / 1000).toFixed(2)} s`);
  } finally {
    await close();
  }
  return results;
}

const bySize = new Map<number, Awaited<ReturnType<typeof runAt>>>();
for (const size of sizes) bySize.set(size, await runAt(size));
if (sizes.length > 1) {
  console.log('\nspawnit p50/p99 by size and mode (PostgreSQL / in process, p50):');
  console.log(
    `${'query'.padEnd(24)} ${'services'.padStart(8)} ${'in process'.padStart(18)} ${'PostgreSQL'.padStart(18)}  ratio`,
  );
  for (const name of Object.keys(QUERIES)) {
    for (const [size, results] of bySize) {
      const local = results['in process']![name]!.real;
      const pg = results.PostgreSQL![name]!.real;
      console.log(
        `${name.padEnd(24)} ${String(size).padStart(8)} ${ms(local).padStart(18)} ${ms(pg).padStart(18)}  ${(pg.p50 / local.p50).toFixed(2)}x`,
      );
    }
  }
}
