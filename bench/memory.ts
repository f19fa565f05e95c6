// Memory of the API process at scale: the built API (`pnpm start`'s main.mjs) spawned on its own, with the drift
// loop on, over a bucket of N services (D deployed, with job history), after rounds of the `services` query with
// the web UI's fields and `jobs(limit: 100)`, next to the same process over an empty bucket. RSS is read from
// /proc (the process alone: S3 and OIDC run in this script, tofu in children of the API).
//   npx --yes pnpm@10.34.8 bench:memory [services] [deployed] [seconds of drift after the queries]
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { askApi, seedServices, startBenchServices, startBuiltApi } from './built-api.js';
import { pool } from './support.js';

const services = Number(process.argv[2] ?? 1000);
const deployed = Number(process.argv[3] ?? 200);
const driftSeconds = Number(process.argv[4] ?? 30);
const rounds = 5;
const jobsPerService = 5;
const TARGET_MIB = 300;

const QUERIES = {
  'services (UI fields)': `{ services { id templateId template { id name } provider networkName deployed updatedAt status { status checkedAt } } }`,
  'jobs(limit: 100)': `{ jobs(limit: 100) { id kind destroy state trigger planStatus targetKind serviceId networkName networkProvider createdAt startedAt finishedAt } }`,
};
const LAST_PLAN = `{ services { id lastPlan { id state planStatus summary { add change destroy } } } }`;

const bench = await startBenchServices('memory', ['spawnit', 'empty']);
const { engine, clientId, token, scratch } = bench;

const mib = (kib: number) => kib / 1024;
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]);
  return { rss: mib(kib('VmRSS')), peak: mib(kib('VmHWM')) };
}

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
  await seedServices({ engine, clientId, ids, deployed, jobsPerService });
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

/** Spawns the built API on `bucket`, runs the queries, lets the drift loop run, and reads its memory. */
async function measure(bucket: string): Promise<Measured> {
  const since = Date.now();
  const api = await startBuiltApi({
    dataDir: path.join(scratch, `api-${bucket}`),
    s3: bench.s3For(bucket),
    oidc: bench.oidc,
    env: { SPAWNIT_DRIFT_INTERVAL_MS: '10000' },
  });
  const { child } = api;
  try {
    const bearer = await token();
    const ask = async (query: string) => {
      const t = performance.now();
      await askApi(api.url, bearer, query);
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
    await api.stop();
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
  await bench.stop();
}
