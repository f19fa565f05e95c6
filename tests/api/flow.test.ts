import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { targetKeyOf } from '@spawnit/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, collectWs, defaultTestMode, startApi } from '../support/api.js';
import { waitFor } from '../support/gate.js';

// The whole flow against real terraform, the embedded S3 server and tokens from the embedded OIDC provider:
// create -> plan -> apply -> logs -> drift -> destroy, every query, mutation and subscription along the way.

interface Job {
  id: string;
  state: string;
  kind: string;
  planStatus: string | null;
  canApply: boolean;
  error: string | null;
  summary: { add: number; change: number; destroy: number } | null;
}
interface Line {
  n: number;
  text: string;
}

const JOB_FIELDS = 'id state kind planStatus canApply error summary { add change destroy }';

// SPAWNIT_TEST_MODE=distributed runs this flow on PostgreSQL with a worker (tests/api/distributed-mode.test.ts).
// The drift loop is one-process only so far: there, the drifted status comes from a user's plan instead.
const distributed = defaultTestMode() === 'distributed';

let api: ApiHarness;
let token: string;
let dir: string;
let watched: string;

beforeAll(async () => {
  api = await startApi({ driftIntervalMs: distributed ? undefined : 1500 });
  token = await api.token('alice');
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-api-flow-'));
  watched = path.join(dir, 'watched.txt');
  await writeFile(watched, 'v1\n');
});
afterAll(async () => {
  await api?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A query or mutation over the real socket; fails the test on any GraphQL error. */
// biome-ignore lint/suspicious/noExplicitAny: the data has the shape of each query, checked by the assertions
async function run<T = Record<string, any>>(query: string, variables?: Record<string, unknown>) {
  const { status, body } = await api.gql<T>(token, query, variables, 'http');
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(status).toBe(200);
  if (!query.trimStart().startsWith('mutation')) {
    // Queries change nothing: the same one in process (yoga.fetch) answers the same.
    expect((await api.gql<T>(token, query, variables, 'in-process')).body).toEqual(body);
  }
  return body.data as T;
}

/** Follows a job with `jobUpdated` over SSE until its final state; returns every state seen. */
async function settle(jobId: string): Promise<{ states: string[]; job: Job }> {
  const { events, completed } = await api.sse<{ jobUpdated: Job }>(
    token,
    `subscription ($id: ID!) { jobUpdated(jobId: $id) { ${JOB_FIELDS} } }`,
    { id: jobId },
  );
  expect(completed).toBe(true);
  const jobs = events.map((e) => e.data!.jobUpdated);
  return { states: jobs.map((j) => j.state), job: jobs.at(-1)! };
}

async function expectSucceeded(jobId: string): Promise<Job> {
  const { job } = await settle(jobId);
  expect(job.state, job.error ?? '').toBe('SUCCEEDED');
  return job;
}

describe('the flow over HTTP, SSE and graphql-ws', () => {
  it('me and the catalog', async () => {
    const data = await run(`{
      me { clientId username isAdmin roles tokenExpiresAt }
      catalog { id name providers parameters { name type required secret generated default } outputs { name secret } }
      echo: template(id: "echo") { id }
      missing: template(id: "nope") { id }
      networkTemplate(provider: LOCAL) { id }
    }`);
    expect(data.me).toMatchObject({ username: 'alice', isAdmin: false, roles: [] });
    expect(data.me.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(data.catalog.map((t: { id: string }) => t.id)).toEqual(['echo']);
    const password = data.catalog[0].parameters.find((p: { name: string }) => p.name === 'password');
    expect(password).toMatchObject({ type: 'STRING', secret: true, generated: true, required: false });
    expect(data.catalog[0].parameters.find((p: { name: string }) => p.name === 'port').default).toBe(8080);
    expect(data.echo).toEqual({ id: 'echo' });
    expect(data.missing).toBeNull();
    expect(data.networkTemplate).toBeNull();
  });

  it('creates, plans and applies the network', async () => {
    const created = await run(`mutation {
      createNetwork(input: { networkName: "default" }) { __typename ... on Network { name provider deployed } }
    }`);
    expect(created.createNetwork).toEqual({
      __typename: 'Network',
      name: 'default',
      provider: 'LOCAL',
      deployed: false,
    });
    const { planNetwork } = await run(
      `mutation { planNetwork(provider: LOCAL, name: "default") { ${JOB_FIELDS} } }`,
    );
    expect(planNetwork.state).toBe('QUEUED');
    const { states, job } = await settle(planNetwork.id);
    expect(states.at(-1)).toBe('SUCCEEDED');
    expect(job).toMatchObject({ planStatus: 'DRIFTED', canApply: true, summary: { add: 1 } });
    const { applyNetwork } = await run(
      `mutation ($id: ID!) { applyNetwork(provider: LOCAL, name: "default", planJobId: $id) { id } }`,
      { id: planNetwork.id },
    );
    await expectSucceeded(applyNetwork.id);
    const { networks, network } = await run(`{
      networks { name deployed }
      network(provider: LOCAL, name: "default") { name deployed jobs { kind state } services { id } }
    }`);
    expect(networks).toEqual([{ name: 'default', deployed: true }]);
    expect(network.jobs.map((j: Job) => j.kind)).toEqual(['APPLY', 'PLAN']);
  });

  it('creates a service: secrets are never sent back, invalid input is field errors', async () => {
    const { createService } = await run(
      `mutation ($input: CreateServiceInput!) {
        createService(input: $input) {
          __typename
          ... on Service { id templateId provider networkName params deployed status { status } }
          ... on ValidationErrors { fieldErrors { field rule } }
        }
      }`,
      { input: { serviceId: 'web', templateId: 'echo', params: { message: 'hello', watch_file: watched } } },
    );
    expect(createService).toMatchObject({
      __typename: 'Service',
      id: 'web',
      templateId: 'echo',
      provider: 'LOCAL',
      networkName: 'default',
      deployed: false,
      status: null,
    });
    expect(createService.params).toMatchObject({ message: 'hello', port: 8080, password: null });

    const invalid = await run(`mutation {
      createService(input: { serviceId: "web2", templateId: "echo", params: { port: 80, color: "red" } }) {
        __typename ... on ValidationErrors { message fieldErrors { field rule message } }
      }
    }`);
    expect(invalid.createService.__typename).toBe('ValidationErrors');
    expect(
      invalid.createService.fieldErrors
        .map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`)
        .sort(),
    ).toEqual(['color:unknown', 'message:required', 'port:min']);
    expect((await run('{ service(id: "web2") { id } }')).service).toBeNull();
  });

  it('plans the service; SSE and graphql-ws both receive the full log, in order', async () => {
    const { planService } = await run(`mutation { planService(id: "web") { ${JOB_FIELDS} } }`);
    const query = 'subscription ($id: ID!) { jobLogs(jobId: $id) { n text } }';
    const client = api.ws(token);
    const [overSse, overWs] = await Promise.all([
      api.sse<{ jobLogs: Line }>(token, query, { id: planService.id }),
      collectWs<{ jobLogs: Line }>(client, query, { id: planService.id }),
    ]);
    expect(overSse.completed).toBe(true);
    expect(overWs.error).toBeUndefined();
    const sseLines = overSse.events.map((e) => e.data!.jobLogs);
    const wsLines = overWs.results.map((r) => r.data!.jobLogs);
    expect(sseLines.map((l) => l.n)).toEqual(sseLines.map((_, i) => i));
    expect(wsLines).toEqual(sseLines);
    const text = sseLines.map((l) => l.text).join('\n');
    expect(text).toContain('Network "default" (local) is compliant.');
    expect(text).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');

    const { job } = await run(
      `query ($id: ID!) { job(id: $id) { ${JOB_FIELDS} targetKind serviceId service { id } log { n text } tail: log(fromLine: 3) { n } } }`,
      { id: planService.id },
    );
    expect(job).toMatchObject({
      state: 'SUCCEEDED',
      planStatus: 'DRIFTED',
      canApply: true,
      summary: { add: 1 },
    });
    expect(job).toMatchObject({ targetKind: 'SERVICE', serviceId: 'web', service: { id: 'web' } });
    expect(job.log).toEqual(sseLines);
    expect(job.tail[0].n).toBe(3);

    // A client that reconnects asks from the line after the last it got.
    const resumed = await collectWs<{ jobLogs: Line }>(
      client,
      query.replace('jobId: $id', 'jobId: $id, fromLine: 5'),
      {
        id: planService.id,
      },
    );
    expect(resumed.results.map((r) => r.data!.jobLogs)).toEqual(sseLines.slice(5));
  });

  it('applies the plan; outputs are read from the state, secrets only on reveal', async () => {
    const { service } = await run('{ service(id: "web") { lastPlan { id canApply } } }');
    const { applyService } = await run(
      `mutation ($id: ID!) { applyService(id: "web", planJobId: $id) { ${JOB_FIELDS} } }`,
      { id: service.lastPlan.id },
    );
    const client = api.ws(token);
    const logs = collectWs<{ jobLogs: Line }>(
      client,
      'subscription ($id: ID!) { jobLogs(jobId: $id) { n text } }',
      {
        id: applyService.id,
      },
    );
    const states = collectWs<{ jobUpdated: Job }>(
      client,
      'subscription ($id: ID!) { jobUpdated(jobId: $id) { state } }',
      {
        id: applyService.id,
      },
    );
    const overSse = await settle(applyService.id);
    expect(overSse.job.state).toBe('SUCCEEDED');
    // graphql-ws follows the job to its end too; a state is never sent twice or out of order.
    const overWs = (await states).results.map((r) => r.data!.jobUpdated.state);
    expect(overWs.at(-1)).toBe('SUCCEEDED');
    expect(overWs).toEqual([...new Set(overWs)]);
    expect(['QUEUED', 'RUNNING', 'SUCCEEDED']).toEqual(expect.arrayContaining(overWs));
    const text = (await logs).results.map((r) => r.data!.jobLogs.text).join('\n');
    expect(text).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    // The plan was taken: it can no longer be applied, and says by which job.
    const applied = await run('query ($id: ID!) { job(id: $id) { canApply appliedBy } }', {
      id: service.lastPlan.id,
    });
    expect(applied.job).toEqual({ canApply: false, appliedBy: applyService.id });

    const data = await run(`{
      services { id deployed }
      service(id: "web") {
        deployed status { status } network { name } template { id }
        outputs { name description sensitive value }
        revealed: outputs(reveal: true) { name value }
        jobs { kind state }
      }
    }`);
    expect(data.services).toEqual([{ id: 'web', deployed: true }]);
    expect(data.service).toMatchObject({
      deployed: true,
      // The apply's status, or the drift loop's since (also compliant).
      status: { status: 'COMPLIANT' },
      network: { name: 'default' },
      template: { id: 'echo' },
    });
    expect(data.service.outputs).toEqual([
      { name: 'greeting', description: 'The message, as deployed.', sensitive: false, value: 'hello' },
      { name: 'port', description: 'The port.', sensitive: false, value: 8080 },
      { name: 'password', description: 'The password.', sensitive: true, value: null },
    ]);
    const password = data.service.revealed.find((o: { name: string }) => o.name === 'password').value;
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(data.service.jobs.map((j: Job) => `${j.kind}:${j.state}`)).toEqual([
      'APPLY:SUCCEEDED',
      'PLAN:SUCCEEDED',
    ]);
  });

  it(`${distributed ? "a user's plan" : 'the drift loop'} pushes a drifted status when the deployed file changes outside SpawnIt`, async () => {
    const client = api.ws(token);
    const drifted = collectWs<{
      serviceStatus: { serviceId: string; status: { status: string; source: string } };
    }>(
      client,
      'subscription { serviceStatus(id: "web") { serviceId clientId status { status source summary { change drift { address } } } service { id } } }',
      undefined,
      (event) => {
        if (event.data?.serviceStatus.status.status === 'DRIFTED') client.dispose();
      },
    );
    // Over SSE too, for every service of the caller.
    const overSse = api.sse<{ serviceStatus: { serviceId: string; status: { status: string } } }>(
      token,
      'subscription { serviceStatus { serviceId status { status } } }',
      undefined,
      (events) => events.some((e) => e.data?.serviceStatus.status.status === 'DRIFTED'),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeFile(watched, 'v2, changed by hand\n');
    if (distributed) {
      const { planService } = await run('mutation { planService(id: "web") { id } }');
      await expectSucceeded(planService.id);
    }
    const [ws, sse] = await Promise.all([drifted, overSse]);
    const last = ws.results.at(-1)!.data!.serviceStatus;
    expect(last).toMatchObject({
      serviceId: 'web',
      status: { status: 'DRIFTED', source: distributed ? 'JOB' : 'DRIFT' },
    });
    expect(sse.events.at(-1)!.data!.serviceStatus).toEqual({
      serviceId: 'web',
      status: { status: 'DRIFTED' },
    });
    const { service } = await run('{ service(id: "web") { status { status summary { change } } } }');
    expect(service.status).toEqual({ status: 'DRIFTED', summary: { change: 1 } });
  });

  it('updates the service (a secret left empty keeps its value) and refuses invalid values', async () => {
    const before = await run('{ service(id: "web") { outputs(reveal: true) { name value } } }');
    const { updateService } = await run(
      `mutation ($params: JSON!) {
        updateService(id: "web", params: $params) { __typename ... on Service { params } }
      }`,
      { params: { message: 'hello again', watch_file: watched } },
    );
    expect(updateService.params).toMatchObject({ message: 'hello again', password: null });
    const { planService } = await run('mutation { planService(id: "web") { id } }');
    const { applyService } = await run(
      `mutation ($id: ID!) { applyService(id: "web", planJobId: $id) { id } }`,
      { id: (await expectSucceeded(planService.id)).id },
    );
    await expectSucceeded(applyService.id);
    const after = await run('{ service(id: "web") { outputs(reveal: true) { name value } } }');
    const value = (o: { outputs: { name: string; value: unknown }[] }, name: string) =>
      o.outputs.find((x) => x.name === name)?.value;
    expect(value(after.service, 'password')).toBe(value(before.service, 'password'));
    expect(value(after.service, 'greeting')).toBe('hello again');

    const refused = await run(`mutation {
      updateService(id: "web", params: { message: "x", port: 70000 }) {
        __typename ... on ValidationErrors { fieldErrors { field rule } }
      }
    }`);
    expect(refused.updateService).toEqual({
      __typename: 'ValidationErrors',
      fieldErrors: [{ field: 'port', rule: 'max' }],
    });
  });

  it('cancels a queued job; a finished one cannot be cancelled', async () => {
    const first = await run('mutation { planService(id: "web") { id } }');
    const second = await run('mutation { planService(id: "web") { id state } }');
    expect(second.planService.state).toBe('QUEUED');
    const { cancelJob } = await run('mutation ($id: ID!) { cancelJob(id: $id) { id } }', {
      id: second.planService.id,
    });
    expect(cancelJob.id).toBe(second.planService.id);
    const { job } = await settle(second.planService.id);
    expect(job.state).toBe('CANCELLED');
    await expectSucceeded(first.planService.id);
    const { body } = await api.gql(token, 'mutation ($id: ID!) { cancelJob(id: $id, force: true) { id } }', {
      id: first.planService.id,
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('follows a job waiting behind another from its first line to its end', async () => {
    const { me } = await run('{ me { clientId } }');
    // A run holds the service (as a long apply would): the first plan waits for it, the second behind it.
    const release = await api.operations.lock.acquire(
      targetKeyOf({ kind: 'service', clientId: me.clientId, serviceId: 'web' }),
    );
    let released = false;
    const ids: string[] = [];
    try {
      const first = await run('mutation { planService(id: "web") { id } }');
      const { planService } = await run('mutation { planService(id: "web") { id state } }');
      ids.push(first.planService.id, planService.id);
      expect(planService.state).toBe('QUEUED');
      const followed = api.sse<{ jobLogs: Line }>(
        token,
        'subscription ($id: ID!) { jobLogs(jobId: $id) { n text } }',
        { id: planService.id },
      );
      // Subscribed while no worker has taken the job yet.
      await delay(500);
      release();
      released = true;
      const { events, completed } = await followed;
      expect(completed).toBe(true);
      const lines = events.map((e) => e.data!.jobLogs);
      expect(lines[0]?.text).toMatch(new RegExp(`^Job ${planService.id}: plan of`));
      await expectSucceeded(first.planService.id);
      const { job } = await run('query ($id: ID!) { job(id: $id) { state log { n text } } }', {
        id: planService.id,
      });
      expect(job.state).toBe('SUCCEEDED');
      expect(lines).toEqual(job.log);
    } finally {
      if (!released) release();
      // Nothing left running for the next case, whatever failed here.
      for (const id of ids) await api.operations.waitForJob(me.clientId, id);
    }
  });

  it('destroys and deletes the service, then the network', async () => {
    const busy = await api.gql(token, 'mutation { deleteService(id: "web") }');
    expect(busy.body.errors?.[0]).toMatchObject({
      message: 'Service "web" is still deployed; destroy it first, then delete it.',
      extensions: { code: 'CONFLICT' },
    });
    const { destroyService } = await run(`mutation { destroyService(id: "web") { ${JOB_FIELDS} } }`);
    expect(destroyService.kind).toBe('DESTROY');
    const destroyed = await expectSucceeded(destroyService.id);
    expect(destroyed.summary).toMatchObject({ destroy: 1 });
    await waitFor(
      async () => !(await run('{ service(id: "web") { deployed } }')).service.deployed,
      'not deployed',
    );
    // Newest first, across the service and the network, before deleting takes their history with them.
    const history = (await run('{ jobs(limit: 100) { kind createdAt } }')).jobs;
    expect(history.length).toBeGreaterThanOrEqual(9);
    const times = history.map((j: { createdAt: string }) => j.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    expect((await run('mutation { deleteService(id: "web") }')).deleteService).toBe('web');
    expect((await run('{ service(id: "web") { id } services { id } }')).service).toBeNull();

    const { destroyNetwork } = await run(
      'mutation { destroyNetwork(provider: LOCAL, name: "default") { id } }',
    );
    await expectSucceeded(destroyNetwork.id);
    expect((await run('mutation { deleteNetwork(provider: LOCAL, name: "default") }')).deleteNetwork).toBe(
      'default',
    );
    const { jobs, networks } = await run('{ jobs(limit: 100) { kind targetKind } networks { name } }');
    expect(networks).toEqual([]);
    // The jobs of the deleted service and network went with them.
    expect(jobs).toEqual([]);
  });
});
