import { targetKeyOf } from '@spawnit/engine';
import postgresDriver from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi, type TestMode } from './api.js';
import { freePort } from './free-port.js';
import { waitFor } from './gate.js';
import { containerOfService, destroyLeftovers, docker, realEngineOptions } from './real-stack.js';

// Drift checks reacting to Docker's own events, on the real stack (tofu, the docker provider, the tests'
// dockerd, a Redis from the local images), in either mode: with a 10-minute interval, an out-of-band
// `docker stop` must show as drift within seconds, through the API. Containers SpawnIt does not manage, and
// SpawnIt's own applies, must plan nothing. In the distributed mode two workers watch the same events.

const DRIFT_INTERVAL_MS = 600_000;
const NETWORK = 'driftev';
const SERVICE = 'evcache';
/** The promise of issue 13 is 2 s; the shared 2-core machine gets slack (the figure is printed). */
const MAX_DELAY_MS = 10_000;
/** The Debian base image scripts/stack/build-images.sh builds. */
const BASE_IMAGE = 'spawnit-local/debian:trixie';

/** What the drift checks of a harness came to: the loop's stats, or the sum over its workers. */
interface DriftCounts {
  planned: number;
  eventChecks: number;
  ignoredEvents: number;
  eventsAskedElsewhere: number;
  /** Sweeps of the one-process loop; undefined for the workers (theirs queue checks without counting). */
  passes: number | undefined;
  lastEventCheckMs: number | undefined;
}

function countsOf(api: ApiHarness): DriftCounts {
  if (api.drift) return { ...api.drift.stats };
  const stats = (api.distributed?.workers ?? []).map(({ worker }) => worker.driftStats);
  const sum = (pick: (s: (typeof stats)[number]) => number) => stats.reduce((n, s) => n + pick(s), 0);
  const last = stats.map((s) => s.lastEventCheckMs).filter((ms): ms is number => ms !== undefined);
  return {
    planned: sum((s) => s.planned),
    eventChecks: sum((s) => s.eventChecks),
    ignoredEvents: sum((s) => s.ignoredEvents),
    eventsAskedElsewhere: sum((s) => s.eventsAskedElsewhere),
    passes: undefined,
    lastEventCheckMs: last.length > 0 ? Math.max(...last) : undefined,
  };
}

/** The drift-from-Docker-events cases for one mode; `workers` watch in the distributed mode. */
export function describeDriftEvents(mode: TestMode, workers = 1): void {
  let api: ApiHarness;
  let token: string;
  let clientId: string;
  const strays: string[] = [];

  // biome-ignore lint/suspicious/noExplicitAny: the data has the shape of each query, checked by the assertions
  async function run<T = Record<string, any>>(query: string, variables?: Record<string, unknown>) {
    const { body } = await api.gql<T>(token, query, variables);
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data as T;
  }

  async function settle(
    jobId: string,
  ): Promise<{ state: string; planStatus: string | null; error: string | null }> {
    return waitFor(
      async () => {
        const { job } = await run('query ($id: ID!) { job(id: $id) { state planStatus error } }', {
          id: jobId,
        });
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.state) ? job : undefined;
      },
      `job ${jobId} to finish`,
      600_000,
    );
  }

  /** Runs a plan job, then applies that plan; both must succeed. */
  async function planAndApply(plan: string, apply: string, vars: Record<string, unknown>) {
    const planned = Object.values(await run(plan, vars))[0] as { id: string };
    const planJob = await settle(planned.id);
    expect(planJob.state, planJob.error ?? '').toBe('SUCCEEDED');
    const applied = Object.values(await run(apply, { ...vars, plan: planned.id }))[0] as { id: string };
    const applyJob = await settle(applied.id);
    expect(applyJob.state, applyJob.error ?? '').toBe('SUCCEEDED');
  }

  const applyService = () =>
    planAndApply(
      'mutation ($id: ID!) { planService(id: $id) { id } }',
      'mutation ($id: ID!, $plan: ID!) { applyService(id: $id, planJobId: $plan) { id } }',
      { id: SERVICE },
    );

  async function status(): Promise<{ status: string; source: string; checkedAt: string } | null> {
    const { service } = await run(
      'query ($id: ID!) { service(id: $id) { status { status source checkedAt } } }',
      { id: SERVICE },
    );
    return service.status;
  }

  const containerOf = async (serviceId: string) => (await containerOfService(clientId, serviceId)) ?? '';

  /**
   * Resolves once a drift check of the service has started: in PostgreSQL, its start recorded; in one
   * process, the settle wait and a little more (the loop starts an event's check at once).
   */
  async function waitForCheckStart(): Promise<void> {
    if (!api.distributed) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return;
    }
    const db = new postgresDriver.Client({ connectionString: api.distributed.pg.url });
    await db.connect();
    try {
      const startedAt = async () =>
        (
          await db.query<{ at: string }>(
            'SELECT checked_at::text AS at FROM spawnit_drift_checks WHERE target_key = $1',
            [targetKeyOf({ kind: 'service', clientId, serviceId: SERVICE })],
          )
        ).rows[0]?.at;
      const first = await startedAt();
      await waitFor(async () => (await startedAt()) !== first, 'a drift check to start', 10_000);
    } finally {
      await db.end();
    }
  }

  /** A container SpawnIt did not create, with the given labels; removed after the tests. */
  async function stray(name: string, labels: Record<string, string>): Promise<string> {
    const full = `spawnit-test-${name}-${process.pid}`;
    const args = ['run', '-d', '--name', full];
    for (const [k, v] of Object.entries(labels)) args.push('--label', `${k}=${v}`);
    const started = await docker(...args, BASE_IMAGE, 'sleep', 'infinity');
    expect(started.exitCode, started.stderr).toBe(0);
    strays.push(full);
    return full;
  }

  beforeAll(async () => {
    api = await startApi({ driftIntervalMs: DRIFT_INTERVAL_MS, engine: realEngineOptions(), mode, workers });
    token = await api.token('alice');
    clientId = (await run('{ me { clientId } }')).me.clientId;
    await run(`mutation { createNetwork(input: { networkName: "${NETWORK}" }) { __typename } }`);
    await planAndApply(
      `mutation { planNetwork(provider: LOCAL, name: "${NETWORK}") { id } }`,
      `mutation ($plan: ID!) { applyNetwork(provider: LOCAL, name: "${NETWORK}", planJobId: $plan) { id } }`,
      {},
    );
    const { createService } = await run(
      `mutation ($input: CreateServiceInput!) {
        createService(input: $input) { __typename ... on ValidationErrors { fieldErrors { field message } } }
      }`,
      {
        input: {
          serviceId: SERVICE,
          templateId: 'redis',
          networkName: NETWORK,
          params: { port: await freePort() },
        },
      },
    );
    expect(createService.__typename, JSON.stringify(createService)).toBe('Service');
    await applyService();
  }, 600_000);

  afterAll(async () => {
    for (const name of strays) await docker('rm', '-f', name);
    if (api && clientId) await destroyLeftovers(api.h.engine, clientId, [SERVICE], NETWORK);
    await api?.close();
  }, 300_000);

  describe(`drift from Docker events, with a 10-minute interval (${mode}${mode === 'distributed' ? `, ${workers} workers` : ''})`, () => {
    it('does nothing for containers SpawnIt does not manage, or manages elsewhere', async () => {
      const before = countsOf(api);
      // Unlabelled: Docker does not even send its events.
      const plain = await stray('plain', {});
      // Labelled as SpawnIt's, but no such service is deployed here.
      const ghost = await stray('ghost', {
        'managed-by': 'spawnit',
        'spawnit-client': clientId,
        'spawnit-service': 'ghost',
      });
      expect((await docker('stop', '-t', '0', plain)).exitCode).toBe(0);
      expect((await docker('stop', '-t', '0', ghost)).exitCode).toBe(0);
      // Every watcher hears the event and lets it go (each worker watches on its own).
      const watchers = mode === 'distributed' ? workers : 1;
      await waitFor(
        () => countsOf(api).ignoredEvents >= before.ignoredEvents + watchers,
        'the ghost event to be ignored by every watcher',
        10_000,
      );
      // Time for a wrongly scheduled plan to show.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const after = countsOf(api);
      expect(after.eventChecks).toBe(before.eventChecks);
      expect(after.planned).toBe(before.planned);
      expect((await status())?.status).toBe('COMPLIANT');
    });

    it('shows an out-of-band docker stop as DRIFTED within seconds, by planning just that service', async () => {
      const before = countsOf(api);
      const container = await containerOf(SERVICE);
      expect(container).toBeTruthy();
      const stoppedAt = Date.now();
      const stop = await docker('stop', container);
      expect(stop.exitCode, stop.stderr).toBe(0);
      // `docker stop` returns once the container is down: Redis takes a moment to save and exit.
      const downAt = Date.now();
      const drifted = await waitFor(
        async () => {
          const s = await status();
          return s?.status === 'DRIFTED' ? { ...s, at: Date.now() } : undefined;
        },
        `${SERVICE} to show DRIFTED`,
        60_000,
      );
      const delay = drifted.at - stoppedAt;
      // Late events (the stop's last ones) may still ask a check after the first: let them land.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const after = countsOf(api);
      const figure = `docker stop seen as drift after ${delay} ms from the docker stop call, ${drifted.at - downAt} ms after it returned (${after.lastEventCheckMs} ms from a Docker event to the status of the last event-driven check), interval ${DRIFT_INTERVAL_MS / 1000} s, ${mode}${mode === 'distributed' ? ` with ${workers} workers watching: ${after.eventChecks - before.eventChecks} check(s) queued, ${after.eventsAskedElsewhere - before.eventsAskedElsewhere} event(s) already asked by another worker, ${after.planned - before.planned} plan(s)` : ''}`;
      process.stdout.write(`[stack] ${figure}\n`);
      expect(drifted.source).toBe('DRIFT');
      expect(delay, figure).toBeLessThan(MAX_DELAY_MS);
      // The event did it, not the sweep; one service planned (kill, die and stop make one or two plans,
      // however many workers saw them).
      if (before.passes !== undefined) expect(after.passes).toBe(before.passes);
      expect(after.planned - before.planned, figure).toBeGreaterThanOrEqual(1);
      expect(after.planned - before.planned, figure).toBeLessThanOrEqual(2);
      expect(after.eventChecks - before.eventChecks, figure).toBeLessThanOrEqual(2);
      // Each other worker heard the same events and found the check already queued.
      if (mode === 'distributed' && workers > 1) {
        expect(after.eventsAskedElsewhere - before.eventsAskedElsewhere, figure).toBeGreaterThanOrEqual(
          workers - 1,
        );
      }
    });

    it("ignores the container events of SpawnIt's own apply", async () => {
      const before = countsOf(api);
      // Reconciling replaces the stopped container: its events come while the apply holds the service.
      await applyService();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(countsOf(api).eventChecks).toBe(before.eventChecks);
      expect(await status()).toMatchObject({ status: 'COMPLIANT', source: 'APPLY' });
      const inspected = await docker('inspect', '-f', '{{.State.Status}}', await containerOf(SERVICE));
      expect(inspected.stdout.trim()).toBe('running');
    });

    it('checks once more after a check that started before an event, so the status is not left stale', async () => {
      expect(await status()).toMatchObject({ status: 'COMPLIANT' });
      const container = await containerOf(SERVICE);
      const before = countsOf(api);
      // A signal Redis ignores: Docker reports a `kill`, a check starts and finds the container running.
      const signalled = await docker('kill', '-s', 'WINCH', container);
      expect(signalled.exitCode, signalled.stderr).toBe(0);
      await waitForCheckStart();
      // Stopped while that check runs: its plan may have read the container running.
      const stop = await docker('stop', container);
      expect(stop.exitCode, stop.stderr).toBe(0);
      await waitFor(async () => (await status())?.status === 'DRIFTED', `${SERVICE} to show DRIFTED`, 60_000);
      // The first check may itself have seen the stop: the one the stop queued runs after it, however long that
      // takes on a loaded machine; then late events get two seconds to ask for more.
      await waitFor(
        () => countsOf(api).planned - before.planned >= 2,
        'a second check, queued by the stop while the first ran, to plan',
        60_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const after = countsOf(api);
      const figure = `${after.planned - before.planned} plan(s), ${after.eventChecks - before.eventChecks} check(s) queued by events`;
      process.stdout.write(`[stack] an event during a running check (${mode}): ${figure}\n`);
      // The most the design allows: one check per container event that arrives while the previous check runs
      // (one waiting absorbs the next). Four events here: the WINCH kill, then the stop's kill, die and stop;
      // on a loaded machine they can be that far apart. A check per worker per event would make up to eight.
      expect(after.planned - before.planned, figure).toBeLessThanOrEqual(4);
      expect(await status()).toMatchObject({ status: 'DRIFTED', source: 'DRIFT' });
    });

    it('reports no drift lag while checks keep their promise', async () => {
      const { body } = await api.gql<{ system: { driftLag: number | null } }>(
        token,
        '{ system { driftLag } }',
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?.system.driftLag).toBe(0);
    });
  });
}
