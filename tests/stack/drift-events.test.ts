import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi } from '../support/api.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/gate.js';
import { docker, realEngineOptions } from '../support/real-stack.js';

// The drift loop reacting to Docker's own events: with a 10-minute interval, an out-of-band `docker stop`
// must show as drift within seconds, through the API, on the real stack (tofu, the docker provider, the
// tests' dockerd, a Redis from the local images). Containers SpawnIt does not manage, and SpawnIt's own
// applies, must plan nothing.

const DRIFT_INTERVAL_MS = 600_000;
const NETWORK = 'driftev';
const SERVICE = 'evcache';
/** The promise of issue 13 is 2 s; the shared 2-core machine gets some slack. */
const MAX_DELAY_MS = 5000;
/** The Debian base image scripts/stack/build-images.sh builds. */
const BASE_IMAGE = 'spawnit-local/debian:trixie';

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

async function containerOf(serviceId: string): Promise<string> {
  const result = await docker(
    'ps',
    '-a',
    '--filter',
    `label=spawnit-client=${clientId}`,
    '--filter',
    `label=spawnit-service=${serviceId}`,
    '--format',
    '{{.Names}}',
  );
  return result.stdout.trim();
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
  // In-process even under SPAWNIT_TEST_MODE=distributed: the drift loop runs in one process only so far.
  api = await startApi({
    driftIntervalMs: DRIFT_INTERVAL_MS,
    engine: realEngineOptions(),
    mode: 'in-process',
  });
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
  if (api && clientId) {
    const { engine } = api.h;
    const ref = { clientId, serviceId: SERVICE };
    if (await engine.isDeployed(ref).catch(() => false)) await engine.destroy(ref).catch(() => undefined);
    const network = { kind: 'network', clientId, provider: 'local', networkName: NETWORK } as const;
    if (await engine.isDeployed(network).catch(() => false))
      await engine.destroy(network).catch(() => undefined);
  }
  await api?.close();
}, 300_000);

describe('drift from Docker events, with a 10-minute interval', () => {
  it('does nothing for containers SpawnIt does not manage, or manages elsewhere', async () => {
    const drift = api.drift!;
    const before = { ...drift.stats };
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
    await waitFor(
      () => drift.stats.ignoredEvents > before.ignoredEvents,
      'the ghost event to be ignored',
      10_000,
    );
    // Time for a wrongly scheduled plan to show.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(drift.stats.eventChecks).toBe(before.eventChecks);
    expect(drift.stats.planned).toBe(before.planned);
    expect((await status())?.status).toBe('COMPLIANT');
  });

  it('shows an out-of-band docker stop as DRIFTED within seconds, by planning just that service', async () => {
    const drift = api.drift!;
    const passes = drift.stats.passes;
    const planned = drift.stats.planned;
    const container = await containerOf(SERVICE);
    expect(container).toBeTruthy();
    const stoppedAt = Date.now();
    const stop = await docker('stop', container);
    expect(stop.exitCode, stop.stderr).toBe(0);
    const drifted = await waitFor(
      async () => {
        const s = await status();
        return s?.status === 'DRIFTED' ? s : undefined;
      },
      `${SERVICE} to show DRIFTED`,
      60_000,
    );
    const delay = Date.now() - stoppedAt;
    process.stdout.write(
      `[stack] docker stop seen as drift after ${delay} ms from the docker stop call (${drift.stats.lastEventCheckMs} ms from Docker's first event), interval ${DRIFT_INTERVAL_MS / 1000} s\n`,
    );
    expect(drifted.source).toBe('DRIFT');
    expect(delay).toBeLessThan(MAX_DELAY_MS);
    // The event did it, not the sweep; and one service planned (kill, die and stop make one or two plans).
    expect(drift.stats.passes).toBe(passes);
    expect(drift.stats.planned - planned).toBeGreaterThanOrEqual(1);
    expect(drift.stats.planned - planned).toBeLessThanOrEqual(2);
  });

  it("ignores the container events of SpawnIt's own apply", async () => {
    const drift = api.drift!;
    const before = { ...drift.stats };
    // Reconciling replaces the stopped container: its events come while the apply holds the service.
    await applyService();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(drift.stats.eventChecks).toBe(before.eventChecks);
    expect(await status()).toMatchObject({ status: 'COMPLIANT', source: 'APPLY' });
    const inspected = await docker('inspect', '-f', '{{.State.Status}}', await containerOf(SERVICE));
    expect(inspected.stdout.trim()).toBe('running');
  });
});
