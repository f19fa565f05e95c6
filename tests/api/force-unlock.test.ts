import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiHarness, startApi } from '../support/api.js';

// A forced cancel kills tofu mid-apply: the lock it leaves is shown on the job, and the owner releases it
// through the API, only by its exact id.

let api: ApiHarness;
let alice: string;

// biome-ignore lint/suspicious/noExplicitAny: results are read as JSON
async function run(query: string, variables?: Record<string, unknown>): Promise<any> {
  const { body } = await api.gql(alice, query, variables);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data;
}

async function settle(jobId: string): Promise<string> {
  const { events } = await api.sse<{ jobUpdated: { state: string } }>(
    alice,
    'subscription ($id: ID!) { jobUpdated(jobId: $id) { state } }',
    { id: jobId },
  );
  return events.at(-1)!.data!.jobUpdated.state;
}

beforeAll(async () => {
  api = await startApi();
  alice = await api.token('alice');
  await run('mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
  const plan = (await run('mutation { planNetwork(provider: LOCAL, name: "default") { id } }')).planNetwork
    .id;
  expect(await settle(plan)).toBe('SUCCEEDED');
  const apply = await run(
    'mutation ($id: ID!) { applyNetwork(provider: LOCAL, name: "default", planJobId: $id) { id } }',
    {
      id: plan,
    },
  );
  expect(await settle(apply.applyNetwork.id)).toBe('SUCCEEDED');
});
afterAll(async () => {
  await api?.close();
});

it('shows the lock a forced cancel left, and releases it only by its id', async () => {
  await run(
    'mutation { createService(input: { serviceId: "stuck", templateId: "echo", params: { message: "x", sleep_seconds: 120 } }) { __typename } }',
  );
  const plan = (await run('mutation { planService(id: "stuck") { id } }')).planService.id;
  expect(await settle(plan)).toBe('SUCCEEDED');
  const apply = (
    await run('mutation ($id: ID!) { applyService(id: "stuck", planJobId: $id) { id } }', { id: plan })
  ).applyService.id;
  // Wait until the slow provisioner runs, then kill.
  await api.sse<{ jobLogs: { text: string } }>(
    alice,
    'subscription ($id: ID!) { jobLogs(jobId: $id) { text } }',
    { id: apply },
    (events) => events.some((e) => e.data?.jobLogs.text.includes("Provisioning with 'local-exec'")),
  );
  await run('mutation ($id: ID!) { cancelJob(id: $id, force: true) { id } }', { id: apply });
  expect(await settle(apply)).toBe('CANCELLED');
  const { job } = await run('query ($id: ID!) { job(id: $id) { state lock { id operation who } } }', {
    id: apply,
  });
  expect(job.lock).toMatchObject({
    id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    operation: 'OperationTypeApply',
  });

  const wrong = await api.gql(alice, 'mutation { forceUnlockService(id: "stuck", lockId: "not-the-lock") }');
  expect(wrong.body.errors?.[0]).toMatchObject({
    message: expect.stringContaining(`is ${job.lock.id}, not not-the-lock`),
    extensions: { code: 'CONFLICT' },
  });
  expect(
    (await run('mutation ($l: String!) { forceUnlockService(id: "stuck", lockId: $l) }', { l: job.lock.id }))
      .forceUnlockService,
  ).toBe(true);
  // Nothing is stuck any more: the service plans again.
  const again = (await run('mutation { planService(id: "stuck") { id } }')).planService.id;
  expect(await settle(again)).toBe('SUCCEEDED');
});
