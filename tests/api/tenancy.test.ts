import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, collectWs, startApi } from '../support/api.js';
import { startGate } from '../support/gate.js';

// User B tries every operation on user A's things and gets exactly what a missing id gets: nothing
// tells B that A's service, network or job exists.

let api: ApiHarness;
let alice: string;
let bob: string;
let gate: Awaited<ReturnType<typeof startGate>>;

/** A's things. */
const a = {
  service: 'alpha',
  network: 'alpha-net',
  job: '',
  planJob: '',
  networkPlanJob: '',
  runningJob: '',
};
/** Ids nobody has. */
const missing = {
  service: 'zeta',
  network: 'zeta-net',
  job: randomUUID(),
  planJob: randomUUID(),
  networkPlanJob: randomUUID(),
  runningJob: randomUUID(),
};
type Ids = typeof a;

// biome-ignore lint/suspicious/noExplicitAny: results are compared as JSON
async function asAlice(query: string, variables?: Record<string, unknown>): Promise<any> {
  const { body } = await api.gql(alice, query, variables);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data;
}

async function settle(jobId: string) {
  const { events } = await api.sse<{ jobUpdated: { state: string } }>(
    alice,
    'subscription ($id: ID!) { jobUpdated(jobId: $id) { state } }',
    { id: jobId },
  );
  return events.at(-1)!.data!.jobUpdated.state;
}

beforeAll(async () => {
  api = await startApi();
  [alice, bob] = await Promise.all([api.token('alice'), api.token('bob')]);
  gate = await startGate();
  await asAlice(`mutation { createNetwork(input: { networkName: "${a.network}" }) { __typename } }`);
  const netPlan = await asAlice(`mutation { planNetwork(provider: LOCAL, name: "${a.network}") { id } }`);
  a.networkPlanJob = netPlan.planNetwork.id;
  expect(await settle(a.networkPlanJob)).toBe('SUCCEEDED');
  const netApply = await asAlice(
    `mutation ($id: ID!) { applyNetwork(provider: LOCAL, name: "${a.network}", planJobId: $id) { id } }`,
    { id: a.networkPlanJob },
  );
  expect(await settle(netApply.applyNetwork.id)).toBe('SUCCEEDED');
  for (const [id, params] of [
    [a.service, { message: 'mine' }],
    ['gated', { message: 'held', gate_url: gate.url }],
  ] as const) {
    const created = await asAlice(
      'mutation ($input: CreateServiceInput!) { createService(input: $input) { __typename } }',
      { input: { serviceId: id, templateId: 'echo', networkName: a.network, params } },
    );
    expect(created.createService.__typename).toBe('Service');
  }
  const plan = await asAlice(`mutation { planService(id: "${a.service}") { id } }`);
  a.planJob = plan.planService.id;
  expect(await settle(a.planJob)).toBe('SUCCEEDED');
  const apply = await asAlice(
    `mutation ($id: ID!) { applyService(id: "${a.service}", planJobId: $id) { id } }`,
    {
      id: a.planJob,
    },
  );
  a.job = apply.applyService.id;
  expect(await settle(a.job)).toBe('SUCCEEDED');
  // A job that stays running until the gate opens: B must not be able to touch it either.
  const held = gate.nextRequest();
  a.runningJob = (await asAlice('mutation { planService(id: "gated") { id } }')).planService.id;
  await held;
});
afterAll(async () => {
  await gate?.close();
  await api?.close();
});

const same = (ids: Ids) => ids;

/** Every operation, with the ids it names. */
const OPERATIONS: { name: string; query: string; variables: (ids: Ids) => Record<string, unknown> }[] = [
  {
    name: 'service',
    query: 'query ($s: ID!) { service(id: $s) { id params outputs(reveal: true) { value } } }',
    variables: (ids) => ({ s: ids.service }),
  },
  {
    name: 'job',
    query: 'query ($j: ID!) { job(id: $j) { id log { text } } }',
    variables: (ids) => ({ j: ids.job }),
  },
  {
    name: 'running job',
    query: 'query ($j: ID!) { job(id: $j) { id state } }',
    variables: (ids) => ({ j: ids.runningJob }),
  },
  {
    name: 'network',
    query: 'query ($n: String!) { network(provider: LOCAL, name: $n) { name } }',
    variables: (ids) => ({ n: ids.network }),
  },
  {
    name: 'updateService',
    query: 'mutation ($s: ID!) { updateService(id: $s, params: { message: "pwned" }) { __typename } }',
    variables: (ids) => ({ s: ids.service }),
  },
  {
    name: 'deleteService',
    query: 'mutation ($s: ID!) { deleteService(id: $s) }',
    variables: (ids) => ({ s: ids.service }),
  },
  {
    name: 'planService',
    query: 'mutation ($s: ID!) { planService(id: $s) { id } }',
    variables: (ids) => ({ s: ids.service }),
  },
  {
    name: 'planService (destroy)',
    query: 'mutation ($s: ID!) { planService(id: $s, destroy: true) { id } }',
    variables: (ids) => ({ s: ids.service }),
  },
  {
    name: 'applyService',
    query: 'mutation ($s: ID!, $j: ID!) { applyService(id: $s, planJobId: $j) { id } }',
    variables: (ids) => ({ s: ids.service, j: ids.planJob }),
  },
  {
    name: 'destroyService',
    query: 'mutation ($s: ID!) { destroyService(id: $s) { id } }',
    variables: (ids) => ({ s: ids.service }),
  },
  {
    name: 'cancelJob (finished)',
    query: 'mutation ($j: ID!) { cancelJob(id: $j) { id } }',
    variables: (ids) => ({ j: ids.job }),
  },
  {
    name: 'cancelJob (running)',
    query: 'mutation ($j: ID!) { cancelJob(id: $j) { id } }',
    variables: (ids) => ({ j: ids.runningJob }),
  },
  {
    name: 'cancelJob (running, force)',
    query: 'mutation ($j: ID!) { cancelJob(id: $j, force: true) { id } }',
    variables: (ids) => ({ j: ids.runningJob }),
  },
  {
    name: 'forceUnlockService',
    query: 'mutation ($s: ID!, $l: String!) { forceUnlockService(id: $s, lockId: $l) }',
    variables: (ids) => ({ s: ids.service, l: missing.job }),
  },
  {
    name: 'forceUnlockNetwork',
    query:
      'mutation ($n: String!, $l: String!) { forceUnlockNetwork(provider: LOCAL, name: $n, lockId: $l) }',
    variables: (ids) => ({ n: ids.network, l: missing.job }),
  },
  {
    name: 'planNetwork',
    query: 'mutation ($n: String!) { planNetwork(provider: LOCAL, name: $n) { id } }',
    variables: (ids) => ({ n: ids.network }),
  },
  {
    name: 'applyNetwork',
    query:
      'mutation ($n: String!, $j: ID!) { applyNetwork(provider: LOCAL, name: $n, planJobId: $j) { id } }',
    variables: (ids) => ({ n: ids.network, j: ids.networkPlanJob }),
  },
  {
    name: 'destroyNetwork',
    query: 'mutation ($n: String!) { destroyNetwork(provider: LOCAL, name: $n) { id } }',
    variables: (ids) => ({ n: ids.network }),
  },
  {
    name: 'deleteNetwork',
    query: 'mutation ($n: String!) { deleteNetwork(provider: LOCAL, name: $n) }',
    variables: (ids) => ({ n: ids.network }),
  },
];

const SUBSCRIPTIONS: typeof OPERATIONS = [
  {
    name: 'jobLogs',
    query: 'subscription ($j: ID!) { jobLogs(jobId: $j) { n text } }',
    variables: (ids) => ({ j: ids.job }),
  },
  {
    name: 'jobLogs (running)',
    query: 'subscription ($j: ID!) { jobLogs(jobId: $j) { n text } }',
    variables: (ids) => ({ j: ids.runningJob }),
  },
  {
    name: 'jobUpdated',
    query: 'subscription ($j: ID!) { jobUpdated(jobId: $j) { state } }',
    variables: (ids) => ({ j: ids.runningJob }),
  },
  {
    name: 'serviceStatus',
    query: 'subscription ($s: ID!) { serviceStatus(id: $s) { serviceId } }',
    variables: (ids) => ({ s: ids.service }),
  },
];

/** B's answer for missing ids, with each missing id replaced by A's: what B must get for A's ids. */
function asIfMissing(answer: unknown): unknown {
  let text = JSON.stringify(answer);
  for (const key of Object.keys(a) as (keyof Ids)[]) text = text.split(missing[key]).join(a[key]);
  return JSON.parse(text);
}

describe("user B and user A's things", () => {
  it.each(OPERATIONS)('$name answers B exactly as for a missing id, in process and over HTTP', async (op) => {
    for (const transport of ['in-process', 'http'] as const) {
      const onA = await api.gql(bob, op.query, op.variables(same(a)), transport);
      const onMissing = await api.gql(bob, op.query, op.variables(missing), transport);
      expect(onA).toEqual(asIfMissing(onMissing));
      // Not a trivial equality: it is a refusal or an empty answer.
      expect(JSON.stringify(onA.body)).toMatch(/NOT_FOUND|null/);
    }
  });

  it.each(SUBSCRIPTIONS)(
    '$name refuses B exactly as for a missing id, over SSE and graphql-ws',
    async (op) => {
      const overSse = await api.sse(bob, op.query, op.variables(a));
      expect(overSse).toEqual(asIfMissing(await api.sse(bob, op.query, op.variables(missing))));
      expect(overSse.events).toEqual([
        { errors: [expect.objectContaining({ extensions: { code: 'NOT_FOUND' } })] },
      ]);
      const client = api.ws(bob);
      const overWs = await collectWs(client, op.query, op.variables(a));
      expect(overWs).toEqual(asIfMissing(await collectWs(client, op.query, op.variables(missing))));
      // graphql-ws sends a subscription refused before it starts as one result with errors, then completes.
      expect(overWs).toEqual({
        results: [{ errors: [expect.objectContaining({ extensions: { code: 'NOT_FOUND' } })] }],
      });
    },
  );

  it("B's lists hold none of A's things; only an admin sees every client's", async () => {
    const lists = '{ services { id } networks { name } jobs { id } }';
    expect((await api.gql(bob, lists)).body.data).toEqual({ services: [], networks: [], jobs: [] });
    const forbidden = await api.gql(bob, '{ services(all: true) { id } }');
    expect(forbidden.body.errors?.[0]).toMatchObject({
      message: '`all: true` needs the admin role.',
      extensions: { code: 'FORBIDDEN' },
    });
    const admin = await api.token('admin');
    const all = await api.gql(
      admin,
      '{ me { clientId } services(all: true) { id clientId } networks(all: true) { name } }',
    );
    const aliceId = (await asAlice('{ me { clientId } }')).me.clientId;
    expect(all.body.data?.services).toEqual(
      expect.arrayContaining([
        { id: 'alpha', clientId: aliceId },
        { id: 'gated', clientId: aliceId },
      ]),
    );
    expect(all.body.data?.networks).toEqual([{ name: a.network }]);
    // An admin sees, but acts only on their own: A's service is not the admin's.
    expect((await api.gql(admin, `{ service(id: "${a.service}") { id } }`)).body.data).toEqual({
      service: null,
    });
  });

  it("B's serviceStatus subscription never receives A's events", async () => {
    const bobClient = api.ws(bob);
    const bobEvents: unknown[] = [];
    void collectWs(bobClient, 'subscription { serviceStatus { serviceId } }', undefined, (e) =>
      bobEvents.push(e),
    );
    const aliceSees = api.sse(
      alice,
      `subscription { serviceStatus(id: "${a.service}") { serviceId status { status } } }`,
      undefined,
      (events) => events.length > 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A change of A's file: update and plan, which records a new status.
    await asAlice(
      `mutation { updateService(id: "${a.service}", params: { message: "changed" }) { __typename } }`,
    );
    const plan = await asAlice(`mutation { planService(id: "${a.service}") { id } }`);
    expect(await settle(plan.planService.id)).toBe('SUCCEEDED');
    expect((await aliceSees).events[0]).toEqual({
      data: { serviceStatus: { serviceId: a.service, status: { status: 'DRIFTED' } } },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bobEvents).toEqual([]);
  });

  it("A's running job was never touched by B's attempts", async () => {
    const { job } = await asAlice('query ($j: ID!) { job(id: $j) { state } }', { j: a.runningJob });
    expect(job.state).toBe('RUNNING');
    gate.open();
    expect(await settle(a.runningJob)).toBe('SUCCEEDED');
    const { service } = await asAlice(`{ service(id: "${a.service}") { deployed } }`);
    expect(service.deployed).toBe(true);
  });
});
