import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi } from '../support/api.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/gate.js';
import {
  containerOfService,
  destroyLeftovers,
  docker,
  dockerObjects,
  realEngineOptions,
} from '../support/real-stack.js';

// The product's main job, for real: the API (embedded S3 and OIDC), OpenTofu, the docker provider from the
// mirror, the tests' dockerd and images built from Debian's packages. For PostgreSQL, MariaDB and Redis:
// deploy, connect with a real client, drift behind SpawnIt's back, reconcile, change the port, cancel an
// apply mid-way, destroy, and leave nothing behind.

const DRIFT_INTERVAL_MS = 4000;
const NETWORK = 'stack';

interface Job {
  id: string;
  state: string;
  planStatus: string | null;
  error: string | null;
  lock: { id: string } | null;
  summary: { add: number; change: number; destroy: number } | null;
}
const JOB = 'id state planStatus error lock { id } summary { add change destroy }';

type Outputs = Record<string, string | number>;

interface Case {
  template: string;
  serviceId: string;
  /** The port the server listens on in its container. */
  internalPort: number;
  /** What is done to the container behind SpawnIt's back. */
  outOfBand: 'stop' | 'remove' | 'change';
  /** Runs a real query with the revealed outputs; returns what the server answered. */
  query(o: Outputs): Promise<string>;
}

const ALL_CASES: Case[] = [
  {
    template: 'postgresql',
    serviceId: 'pg',
    internalPort: 5432,
    outOfBand: 'stop',
    async query(o) {
      const result = await execa(
        'psql',
        [
          '-h',
          String(o.host),
          '-p',
          String(o.port),
          '-U',
          String(o.username),
          '-d',
          String(o.database),
          '-tAc',
          'select 40 + 2',
        ],
        { env: { PGPASSWORD: String(o.password), PGCONNECT_TIMEOUT: '5' }, reject: false },
      );
      return result.exitCode === 0 ? result.stdout.trim() : `psql failed: ${result.stderr}`;
    },
  },
  {
    template: 'mariadb',
    serviceId: 'maria',
    internalPort: 3306,
    outOfBand: 'remove',
    async query(o) {
      const result = await execa(
        'mariadb',
        [
          '--protocol=TCP',
          '-h',
          String(o.host),
          '-P',
          String(o.port),
          '-u',
          String(o.username),
          '-N',
          '-B',
          '-e',
          'select 40 + 2',
          String(o.database),
        ],
        { env: { MYSQL_PWD: String(o.password) }, reject: false },
      );
      return result.exitCode === 0 ? result.stdout.trim() : `mariadb failed: ${result.stderr}`;
    },
  },
  {
    template: 'redis',
    serviceId: 'cache',
    internalPort: 6379,
    outOfBand: 'change',
    async query(o) {
      const cli = (...args: string[]) =>
        execa('redis-cli', ['-h', String(o.host), '-p', String(o.port), ...args], {
          env: { REDISCLI_AUTH: String(o.password) },
          reject: false,
        });
      const set = await cli('set', 'answer', '42');
      if (set.stdout.trim() !== 'OK') return `redis-cli set failed: ${set.stdout} ${set.stderr}`;
      const get = await cli('get', 'answer');
      return get.exitCode === 0 ? get.stdout.trim() : `redis-cli failed: ${get.stderr}`;
    },
  },
];

const CASES = ALL_CASES.filter((c) => !process.env.ONLY || process.env.ONLY.split(',').includes(c.template));
let api: ApiHarness;
let token: string;
let clientId: string;

// biome-ignore lint/suspicious/noExplicitAny: the data has the shape of each query, checked by the assertions
async function run<T = Record<string, any>>(query: string, variables?: Record<string, unknown>) {
  const { body } = await api.gql<T>(token, query, variables);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data as T;
}

async function settle(jobId: string): Promise<Job> {
  return waitFor(
    async () => {
      const { job } = await run<{ job: Job }>(`query ($id: ID!) { job(id: $id) { ${JOB} } }`, { id: jobId });
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.state) ? job : undefined;
    },
    `job ${jobId} to finish`,
    600_000,
  );
}

async function jobLog(jobId: string): Promise<string> {
  const { job } = await run('query ($id: ID!) { job(id: $id) { log { text } } }', { id: jobId });
  return job.log.map((l: { text: string }) => l.text).join('\n');
}

async function expectSucceeded(jobId: string): Promise<Job> {
  const job = await settle(jobId);
  expect(job.state, `${job.error}\n${await jobLog(jobId)}`).toBe('SUCCEEDED');
  return job;
}

/**
 * plan, then apply that plan; returns the plan job. An apply refused as stale (the state moved since the plan:
 * seen once under load while the drift loop ran) is planned again once, as the message tells a user to.
 */
async function planAndApply(serviceId: string, retries = 1): Promise<Job> {
  const { planService } = await run('mutation ($id: ID!) { planService(id: $id) { id } }', { id: serviceId });
  const plan = await expectSucceeded(planService.id);
  if (plan.planStatus === 'DRIFTED') {
    const { applyService } = await run(
      'mutation ($id: ID!, $plan: ID!) { applyService(id: $id, planJobId: $plan) { id } }',
      { id: serviceId, plan: plan.id },
    );
    const applied = await settle(applyService.id);
    if (
      applied.state === 'FAILED' &&
      /changed since plan .* plan again/.test(applied.error ?? '') &&
      retries > 0
    ) {
      process.stdout.write(`[stack] ${serviceId}: apply refused as stale, planning again\n`);
      return planAndApply(serviceId, retries - 1);
    }
    expect(applied.state, `${applied.error}\n${await jobLog(applyService.id)}`).toBe('SUCCEEDED');
  }
  return plan;
}

async function outputs(serviceId: string): Promise<Outputs> {
  const { service } = await run(
    'query ($id: ID!) { service(id: $id) { outputs(reveal: true) { name value } } }',
    {
      id: serviceId,
    },
  );
  return Object.fromEntries(service.outputs.map((o: { name: string; value: string }) => [o.name, o.value]));
}

/** The container of a service, found by the labels SpawnIt puts on it. */
const containerOf = (serviceId: string) => containerOfService(clientId, serviceId);

async function health(container: string): Promise<string> {
  const result = await docker('inspect', '-f', '{{.State.Status}}/{{.State.Health.Status}}', container);
  return result.stdout.trim();
}

async function status(serviceId: string): Promise<{ status: string; source: string } | null> {
  const { service } = await run('query ($id: ID!) { service(id: $id) { status { status source } } }', {
    id: serviceId,
  });
  return service.status;
}

beforeAll(async () => {
  api = await startApi({
    driftIntervalMs: DRIFT_INTERVAL_MS,
    // In-process even under SPAWNIT_TEST_MODE=distributed: the drift loop runs in one process only so far.
    mode: 'in-process',
    engine: { ...realEngineOptions(), lockTimeout: '30s' },
  });
  token = await api.token('alice');
  clientId = (await run('{ me { clientId } }')).me.clientId;
  await run(`mutation { createNetwork(input: { networkName: "${NETWORK}" }) { __typename } }`);
  const { planNetwork } = await run(`mutation { planNetwork(provider: LOCAL, name: "${NETWORK}") { id } }`);
  const plan = await expectSucceeded(planNetwork.id);
  const { applyNetwork } = await run(
    `mutation ($id: ID!) { applyNetwork(provider: LOCAL, name: "${NETWORK}", planJobId: $id) { id } }`,
    { id: plan.id },
  );
  await expectSucceeded(applyNetwork.id);
}, 600_000);

afterAll(async () => {
  // After a failure, leave nothing in the tests' dockerd for the next run.
  if (api && clientId) {
    await destroyLeftovers(
      api.h.engine,
      clientId,
      CASES.map((c) => c.serviceId),
      NETWORK,
    );
  }
  await api?.close();
}, 300_000);

describe.each(CASES)('$template through the API, on Docker for real', (c) => {
  let port: number;

  it('plans and applies; the container is healthy and a real client runs a query', async () => {
    port = await freePort();
    const { createService } = await run(
      `mutation ($input: CreateServiceInput!) {
        createService(input: $input) { __typename ... on ValidationErrors { fieldErrors { field message } } }
      }`,
      { input: { serviceId: c.serviceId, templateId: c.template, networkName: NETWORK, params: { port } } },
    );
    expect(createService.__typename, JSON.stringify(createService)).toBe('Service');
    const plan = await planAndApply(c.serviceId);
    expect(plan.planStatus).toBe('DRIFTED');
    expect(plan.summary?.add).toBeGreaterThanOrEqual(3); // image, volume, container
    const container = await containerOf(c.serviceId);
    expect(container).toBeTruthy();
    expect(await health(container as string)).toBe('running/healthy');
    const o = await outputs(c.serviceId);
    expect(o.port).toBe(port);
    expect(await c.query(o)).toBe('42');
    // Published on loopback only, as SPAWNIT_PUBLISH_IP says.
    const ports = await docker('port', container as string);
    expect(ports.stdout.trim()).toBe(`${c.internalPort}/tcp -> 127.0.0.1:${port}`);
    expect((await status(c.serviceId))?.status).toBe('COMPLIANT');
  });

  it(`shows DRIFTED after a change behind SpawnIt's back (${c.outOfBand}), and reconciles to COMPLIANT`, async () => {
    const container = (await containerOf(c.serviceId)) as string;
    const changedAt = Date.now();
    const change =
      c.outOfBand === 'stop'
        ? await docker('stop', container)
        : c.outOfBand === 'remove'
          ? await docker('rm', '-f', container)
          : await docker('update', '--restart=no', container);
    expect(change.exitCode, change.stderr).toBe(0);
    const drifted = await waitFor(
      async () => {
        const s = await status(c.serviceId);
        return s?.status === 'DRIFTED' ? s : undefined;
      },
      `${c.serviceId} to show DRIFTED`,
      DRIFT_INTERVAL_MS * 2 + 60_000,
    );
    expect(drifted.source).toBe('DRIFT');
    process.stdout.write(
      `[stack] ${c.template}: ${c.outOfBand} seen as drift after ${Date.now() - changedAt} ms\n`,
    );
    const reconcile = await planAndApply(c.serviceId);
    expect(reconcile.planStatus).toBe('DRIFTED');
    expect(await health((await containerOf(c.serviceId)) as string)).toBe('running/healthy');
    expect(await c.query(await outputs(c.serviceId))).toBe('42');
    const after = await run('mutation ($id: ID!) { planService(id: $id) { id } }', { id: c.serviceId });
    const check = await expectSucceeded(after.planService.id);
    expect(check.planStatus, await jobLog(check.id)).toBe('COMPLIANT');
  });

  it('moves to a new port: the plan shows the change, the apply makes it reachable there', async () => {
    const newPort = await freePort();
    const { updateService } = await run(
      `mutation ($id: ID!, $params: JSON!) { updateService(id: $id, params: $params) { __typename } }`,
      { id: c.serviceId, params: { ...(await currentParams(c.serviceId)), port: newPort } },
    );
    expect(updateService.__typename).toBe('Service');
    const plan = await planAndApply(c.serviceId);
    expect(plan.planStatus).toBe('DRIFTED');
    const o = await outputs(c.serviceId);
    expect(o.port).toBe(newPort);
    expect(await c.query(o)).toBe('42');
    const old = await c.query({ ...o, port });
    expect(old).not.toBe('42');
    port = newPort;
  });

  it('cancels an apply mid-way: no lock is left and the next plan runs clean', async () => {
    const newPort = await freePort();
    await run(
      `mutation ($id: ID!, $params: JSON!) { updateService(id: $id, params: $params) { __typename } }`,
      {
        id: c.serviceId,
        params: { ...(await currentParams(c.serviceId)), port: newPort },
      },
    );
    const { planService } = await run('mutation ($id: ID!) { planService(id: $id) { id } }', {
      id: c.serviceId,
    });
    const plan = await expectSucceeded(planService.id);
    const { applyService } = await run(
      'mutation ($id: ID!, $plan: ID!) { applyService(id: $id, planJobId: $plan) { id } }',
      { id: c.serviceId, plan: plan.id },
    );
    // Cancel once tofu is changing the container (the port forces its replacement).
    await waitFor(
      async () =>
        /docker_container\.this\[[^\]]+\]: (Destroying|Creating)/.test(await jobLog(applyService.id)),
      'the apply to touch the container',
      120_000,
    );
    await run('mutation ($id: ID!) { cancelJob(id: $id) { id } }', { id: applyService.id });
    const cancelled = await settle(applyService.id);
    expect(cancelled.state, cancelled.error ?? '').toBe('CANCELLED');
    expect(cancelled.lock).toBeNull();
    const next = await run('mutation ($id: ID!) { planService(id: $id) { id } }', { id: c.serviceId });
    const clean = await expectSucceeded(next.planService.id);
    expect(clean.lock).toBeNull();
    // Whatever part of the apply ran, one more apply finishes it.
    await planAndApply(c.serviceId);
    const o = await outputs(c.serviceId);
    expect(o.port).toBe(newPort);
    expect(await c.query(o)).toBe('42');
  });

  it('destroys: nothing of it is left in docker ps -a, its volume goes too', async () => {
    const container = (await containerOf(c.serviceId)) as string;
    const { destroyService } = await run('mutation ($id: ID!) { destroyService(id: $id) { id } }', {
      id: c.serviceId,
    });
    await expectSucceeded(destroyService.id);
    expect(await containerOf(c.serviceId)).toBeUndefined();
    expect(await dockerObjects('container', container)).toEqual([]);
    expect(await dockerObjects('volume', `${container}-`)).toEqual([]);
    expect(
      (await run('mutation ($id: ID!) { deleteService(id: $id) }', { id: c.serviceId })).deleteService,
    ).toBe(c.serviceId);
  });
});

describe('the network', () => {
  it('gives tofu a lock file without checksums, so no command hashes the 76 MB provider; init still checks', async () => {
    const ref = { kind: 'network', clientId, provider: 'local', networkName: NETWORK } as const;
    const dir = (await api.h.engine.resolve(ref)).workdir;
    const lock = await readFile(path.join(dir, '.terraform.lock.hcl'), 'utf8');
    expect(lock).toContain('provider "registry.opentofu.org/kreuzwerker/docker"');
    expect(lock).not.toContain('hashes');
    // The checksums init recorded, put back before its next run.
    const full = await readFile(path.join(dir, '.terraform', 'spawnit-lock.hcl'), 'utf8');
    expect(full).toMatch(/provider "registry.opentofu.org\/kreuzwerker\/docker" \{[^}]*hashes = \[\s*"h1:/);
  });

  it('is destroyed last, leaving no Docker network behind', async () => {
    const { destroyNetwork } = await run(
      `mutation { destroyNetwork(provider: LOCAL, name: "${NETWORK}") { id } }`,
    );
    await expectSucceeded(destroyNetwork.id);
    expect(await dockerObjects('network', `spawnit-${clientId}-${NETWORK}`)).toEqual([]);
    expect(await dockerObjects('container', `spawnit-${clientId}-`)).toEqual([]);
  });
});

async function currentParams(serviceId: string): Promise<Record<string, unknown>> {
  const { service } = await run('query ($id: ID!) { service(id: $id) { params } }', { id: serviceId });
  return service.params;
}
