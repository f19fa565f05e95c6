// Does the drift loop keep its promise? The built API over N services (D deployed) with a 10 s interval, first
// with nobody using it, then with a user browsing (the services page's query and the jobs page's, one second
// apart), each for a few intervals after one of warm-up. A sampler reads every deployed service's last check
// (`status { checkedAt }`) and `system { driftLag }` every 2 s. For each phase: the longest time a service
// waited between two checks, how many waited longer than the interval, and the highest driftLag the API
// reported. The baseline is what the machine can do at all: the same D plans run by hand, as many at a time as
// there are cores; a sweep that takes longer than the interval by hand cannot be kept by any loop.
//   npx --yes pnpm@10.34.8 bench:drift-promise [services] [deployed] [intervals per phase]
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { askApi, seedServices, startBenchServices, startBuiltApi } from './built-api.js';
import { pool, tofuEnv } from './support.js';

const services = Number(process.argv[2] ?? 1000);
const deployed = Number(process.argv[3] ?? 200);
const intervals = Number(process.argv[4] ?? 3);
const INTERVAL_MS = 10_000;
const SAMPLE_MS = 2_000;
const LATE_MS = INTERVAL_MS * 1.1;

const services_ = await startBenchServices('promise', ['spawnit']);
const { engine, clientId, token, scratch } = services_;
const ids = Array.from({ length: services }, (_, i) => `svc-${String(i).padStart(4, '0')}`);

interface Phase {
  /** Per deployed service, the check times seen (ms since the epoch), in order. */
  checks: Map<string, number[]>;
  maxLagMs: number;
  /** p50 of the browsing user's page loads (ms), when there was one. */
  pageMs: number[];
  /** When the last sample was asked for: every check that ended before it is in `checks`. */
  lastSampleAt: number;
}

/** Samples the API for `ms`, with or without a user browsing meanwhile; checks before `from` are not counted. */
async function observe(url: string, bearer: string, ms: number, browsing: boolean): Promise<Phase> {
  const phase: Phase = { checks: new Map(), maxLagMs: 0, pageMs: [], lastSampleAt: Date.now() };
  const until = Date.now() + ms;
  const sampler = (async () => {
    while (Date.now() < until) {
      const asked = Date.now();
      const next = asked + SAMPLE_MS;
      const data = await askApi<{
        services: { id: string; deployed: boolean; status: { checkedAt: string } | null }[];
        system: { driftLag: number | null };
      }>(url, bearer, '{ services { id deployed status { checkedAt } } system { driftLag } }');
      phase.lastSampleAt = asked;
      phase.maxLagMs = Math.max(phase.maxLagMs, data.system.driftLag ?? 0);
      for (const service of data.services) {
        if (!service.deployed || !service.status) continue;
        const at = Date.parse(service.status.checkedAt);
        const seen = phase.checks.get(service.id) ?? [];
        if (seen.at(-1) !== at) seen.push(at);
        phase.checks.set(service.id, seen);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    }
  })();
  const user = (async () => {
    if (!browsing) return;
    while (Date.now() < until) {
      const t = performance.now();
      await askApi(
        url,
        bearer,
        '{ services { id templateId template { id name } provider networkName deployed updatedAt status { status checkedAt } } }',
      );
      await askApi(
        url,
        bearer,
        '{ jobs(limit: 100) { id kind state trigger serviceId createdAt finishedAt } }',
      );
      phase.pageMs.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  await Promise.all([sampler, user]);
  return phase;
}

/**
 * The longest wait between two checks per service over the phase: between the checks seen (the last one before
 * the phase included), and from the last one to the phase's end when that is already longer than the interval.
 * The end is when the last sample was asked for, not when the phase returned: a check that ended after it is not
 * seen yet, and counting up to the return would charge the loop with up to a sampling period it did not wait.
 */
function gaps(phase: Phase, start: number, end: number): number[] {
  return ids.slice(0, deployed).map((id) => {
    const seen = phase.checks.get(id) ?? [];
    const before = seen.filter((t) => t <= start).at(-1) ?? start;
    const times = [before, ...seen.filter((t) => t > start && t < end)];
    let longest = Math.max(0, end - times.at(-1)! > INTERVAL_MS ? end - times.at(-1)! : 0);
    for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
    return longest;
  });
}

try {
  const t0 = performance.now();
  // In sync, as services deployed one by one are: a drift check is then one plan, no `show -json`.
  await seedServices({ engine, clientId, ids, deployed, jobsPerService: 5, inSync: true });
  console.log(
    `seeded ${services} services (${deployed} deployed) in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  const api = await startBuiltApi({
    dataDir: path.join(scratch, 'api'),
    s3: services_.s3For('spawnit'),
    oidc: services_.oidc,
    env: { SPAWNIT_DRIFT_INTERVAL_MS: String(INTERVAL_MS) },
  });
  const results: { name: string; longest: number[]; phase: Phase }[] = [];
  try {
    const bearer = await token();
    // Warm-up: the index fills and the first pass initialises every working directory (tofu init each);
    // then one more interval, so the phases measure the loop's steady state.
    const started = Date.now();
    for (;;) {
      const warm = await observe(api.url, bearer, SAMPLE_MS, false);
      const checked = ids
        .slice(0, deployed)
        .filter((id) => (warm.checks.get(id) ?? []).some((at) => at > started)).length;
      if (checked === deployed) break;
      if (Date.now() - started > 20 * INTERVAL_MS)
        throw new Error(`only ${checked} of ${deployed} checked after warm-up`);
    }
    console.log(
      `first pass over the ${deployed} deployed services done ${((Date.now() - started) / 1000).toFixed(0)} s after start`,
    );
    await observe(api.url, bearer, 2 * INTERVAL_MS, false);
    for (const [name, browsing] of [
      ['nobody using the API', false],
      ['a user browsing (services + jobs pages, 1 s apart)', true],
    ] as const) {
      const start = Date.now();
      const phase = await observe(api.url, bearer, intervals * INTERVAL_MS, browsing);
      results.push({ name, longest: gaps(phase, start, phase.lastSampleAt), phase });
      if (process.env.BENCH_DEBUG) {
        for (const [id, times] of phase.checks)
          console.log(id, times.map((t) => ((t - start) / 1000).toFixed(1)).join(' '));
      }
    }
  } finally {
    await api.stop();
  }

  // By hand: the same plans, as many at a time as there are cores, in the bench engine's working directories.
  const parallelism = availableParallelism();
  const refs = ids.slice(0, deployed).map((serviceId) => ({ kind: 'service' as const, clientId, serviceId }));
  const workdirs: string[] = [];
  await pool(refs, parallelism, async (ref) => {
    await engine.plan(ref, { save: false }); // init, not timed
    const target = await engine.resolve(ref);
    await writeFile(path.join(target.workdir, 'terraform.tfvars.json'), target.tfvarsBody, { mode: 0o600 });
    workdirs.push(target.workdir);
  });
  const env = tofuEnv(engine);
  const t = performance.now();
  await pool(workdirs, parallelism, async (cwd) => {
    const r = await execa(engine.tofu.path, ['plan', '-input=false', '-detailed-exitcode', '-no-color'], {
      cwd,
      env,
      reject: false,
    });
    if (r.exitCode !== 0 && r.exitCode !== 2) throw new Error(`plan by hand in ${cwd} exited ${r.exitCode}`);
  });
  const sweepMs = performance.now() - t;

  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `\nDrift promise: every deployed service checked at least every ${s(INTERVAL_MS)}; ${services} services, ${deployed} deployed, ${intervals} intervals per phase (${engine.tofu.name} ${engine.tofu.version}, ${parallelism} cores):`,
  );
  console.log(
    `  baseline: the ${deployed} plans by hand, ${parallelism} at a time     ${s(sweepMs).padStart(8)}   ${(sweepMs / INTERVAL_MS).toFixed(2)}x the interval${sweepMs > INTERVAL_MS ? ' (this machine cannot keep the promise at this size)' : ''}`,
  );
  for (const { name, longest, phase } of results) {
    const sorted = [...longest].sort((a, b) => a - b);
    // A check's time is stamped when its plan ends: plans of different lengths move it by a fraction of a second.
    const late = longest.filter((ms) => ms > LATE_MS).length;
    const worst = sorted.at(-1)!;
    const page = phase.pageMs.sort((a, b) => a - b)[phase.pageMs.length >> 1];
    console.log(`  ${name}:`);
    console.log(
      `    longest wait between two checks of a service: p50 ${s(sorted[sorted.length >> 1]!)}, max ${s(worst)} (${(worst / INTERVAL_MS).toFixed(2)}x the interval, ${(worst / Math.max(sweepMs, INTERVAL_MS)).toFixed(2)}x what the machine allows)`,
    );
    console.log(
      `    services that waited longer than ${s(LATE_MS)} (the interval and a plan's length): ${late} of ${deployed}; highest driftLag the API reported: ${s(phase.maxLagMs)}${page === undefined ? '' : `; the user's page loads p50 ${page.toFixed(0)} ms`}`,
    );
  }
} finally {
  await services_.stop();
}
