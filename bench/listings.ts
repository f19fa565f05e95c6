// Listing latency at scale: the `services` query with the web UI's fields, `services { lastPlan }` and
// `jobs(limit: 100)`, through the real API in process (`yoga.fetch`), each next to a bare Yoga server that
// returns the same JSON from memory (same SDL, no resolvers beyond reading properties); in process, then with
// the index in PostgreSQL (a cluster of its own, as the tests start one).
//   npx --yes pnpm@10.34.8 bench:listings [services] [with-history] [jobs-per-service]
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, type TokenVerifier } from '@spawnit/api';
import { createOperations, type Engine } from '@spawnit/engine';
import { createSchema, createYoga } from 'graphql-yoga';
import { startPostgres } from '../tests/support/postgres.js';
import { benchEngine, pool } from './support.js';

const services = Number(process.argv[2] ?? 1000);
const withHistory = Number(process.argv[3] ?? 200);
const jobsPerService = Number(process.argv[4] ?? 5);
const runs = Number(process.env.BENCH_RUNS ?? 100);
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

async function time(run: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 5; i += 1) await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t = performance.now();
    await run();
    samples.push(performance.now() - t);
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

const { engine: writer, reopen, close } = await benchEngine();
try {
  const t0 = performance.now();
  const ids = Array.from({ length: services }, (_, i) => `svc-${String(i).padStart(4, '0')}`);
  await pool(ids, 16, async (serviceId) => {
    await writer.createService({
      clientId,
      serviceId,
      templateId: 'echo',
      provider: 'local',
      networkName: 'default',
      params: { message: serviceId },
    });
  });
  // History, state and status written straight to the store, as SpawnIt's jobs leave them.
  let clock = Date.parse('2026-01-01T00:00:00Z');
  await pool(ids.slice(0, withHistory), 16, async (serviceId) => {
    const prefix = `clients/${clientId}/services/${serviceId}/`;
    const target = { kind: 'service', clientId, serviceId };
    for (let j = 0; j < jobsPerService; j += 1) {
      clock += 1000;
      const at = new Date(clock).toISOString();
      const id = randomUUID();
      const kind = j % 2 === 0 ? 'plan' : 'apply';
      const record = {
        id,
        kind,
        trigger: 'user',
        clientId,
        target,
        state: 'succeeded',
        destroy: false,
        createdAt: at,
        startedAt: at,
        finishedAt: at,
        planId: randomUUID(),
        planJobId: undefined,
        planStatus: kind === 'plan' ? 'drifted' : undefined,
        summary: { add: 1, change: 0, destroy: 0, resources: [], drift: [] },
        error: undefined,
        lock: undefined,
        lineCount: 40,
      };
      await writer.store.putJson(`clients/${clientId}/jobs/${id}.json`, record);
      await writer.store.put(`clients/${clientId}/jobs/${id}.log`, 'line\n'.repeat(40));
    }
    await writer.store.put(`${prefix}terraform.tfstate`, DEPLOYED_STATE);
    await writer.store.putJson(`${prefix}status.json`, {
      status: 'compliant',
      checkedAt: new Date(clock).toISOString(),
      source: 'job',
    });
  });
  console.log(
    `${services} services (${withHistory} deployed, ${withHistory * jobsPerService} jobs) written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

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

  /** The three listings through the real API on `engine`, each next to a bare server with the same JSON. */
  async function measure(mode: string, engine: Engine): Promise<void> {
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
    if (lastPlans.length !== withHistory || jobs.length !== Math.min(100, withHistory * jobsPerService)) {
      throw new Error(
        `${mode}: found ${lastPlans.length} last plans and ${jobs.length} jobs: the listing misses what S3 holds`,
      );
    }
    console.log(`p50 and p99 of ${runs} runs each, ${mode}, through yoga.fetch, one user:`);
    console.log(
      `${'query'.padEnd(24)} ${'spawnit p50/p99'.padStart(20)} ${'bare p50/p99'.padStart(18)}  ratio p50/p99`,
    );
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
      const real = await time(() => ask(app.yoga.fetch, query));
      const base = await time(() => ask(bare.fetch as Fetch, query));
      const ms = (t: { p50: number; p99: number }) => `${t.p50.toFixed(1)}/${t.p99.toFixed(1)} ms`;
      console.log(
        `${name.padEnd(24)} ${ms(real).padStart(20)} ${ms(base).padStart(18)}  ${(real.p50 / base.p50).toFixed(1)}x/${(real.p99 / base.p99).toFixed(1)}x`,
      );
    }
  }

  // A fresh engine on that bucket, as after a restart: what it lists, it finds from S3.
  await measure('in process', await reopen());
  // The same bucket with the index in PostgreSQL (the scaled-out mode), filled from S3 by its first use.
  const pg = await startPostgres();
  try {
    const inDatabase = await reopen({ databaseUrl: pg.url });
    await measure('PostgreSQL index', inDatabase);
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
  });
  await ask(second.yoga.fetch, QUERIES['services (UI fields)']);
  console.log(`first answer after a second start: ${((performance.now() - t2) / 1000).toFixed(2)} s`);
} finally {
  await close();
}
