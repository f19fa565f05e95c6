import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi } from '../support/api.js';
import { waitFor } from '../support/gate.js';

// Deleting a service or network deletes its job history, as the UI says: a new one with the same name starts
// with none, and the jobs of others stay.

let api: ApiHarness;
let token: string;

// biome-ignore lint/suspicious/noExplicitAny: the data has the shape of each query
async function run(query: string, variables?: Record<string, unknown>): Promise<any> {
  const { body } = await api.gql(token, query, variables);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data;
}

async function settle(id: string) {
  await waitFor(async () => {
    const { job } = await run('query ($id: ID!) { job(id: $id) { state } }', { id });
    return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.state);
  }, `job ${id}`);
}

const create = (id: string) =>
  run(
    `mutation { createService(input: { serviceId: "${id}", templateId: "echo", params: { message: "hi" } }) { __typename } }`,
  );

beforeAll(async () => {
  api = await startApi();
  token = await api.token('alice');
});
afterAll(async () => {
  await api?.close();
});

describe('deleting a service or a network', () => {
  it('deletes the service’s jobs and logs; a new one of the same name has none, others keep theirs', async () => {
    await create('web');
    await create('other');
    // No network yet: each plan fails fast, which is a job all the same.
    const old = (await run('mutation { planService(id: "web") { id } }')).planService.id;
    const kept = (await run('mutation { planService(id: "other") { id } }')).planService.id;
    await settle(old);
    await settle(kept);
    expect((await run('mutation { deleteService(id: "web") }')).deleteService).toBe('web');
    await create('web');
    const data = await run(
      'query ($old: ID!) { service(id: "web") { jobs { id } } old: job(id: $old) { id } jobs { id } }',
      {
        old,
      },
    );
    expect(data.service.jobs).toEqual([]);
    expect(data.old).toBeNull();
    expect(data.jobs.map((j: { id: string }) => j.id)).toEqual([kept]);
    // Nothing of the old job is left in the bucket.
    const keys = (await api.h.engine.store.list('clients/')).map((o) => o.key);
    expect(keys.filter((key) => key.includes(old))).toEqual([]);
  });

  it('deletes a network’s jobs with it', async () => {
    await run('mutation { createNetwork(input: { networkName: "lan" }) { __typename } }');
    const plan = (await run('mutation { planNetwork(provider: LOCAL, name: "lan") { id } }')).planNetwork.id;
    await settle(plan);
    expect((await run('mutation { deleteNetwork(provider: LOCAL, name: "lan") }')).deleteNetwork).toBe('lan');
    await run('mutation { createNetwork(input: { networkName: "lan" }) { __typename } }');
    expect((await run('{ network(provider: LOCAL, name: "lan") { jobs { id } } }')).network.jobs).toEqual([]);
  });

  it('keeps a deployed service and its history, and says to destroy it first', async () => {
    await run('mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
    const netPlan = (await run('mutation { planNetwork(provider: LOCAL, name: "default") { id } }'))
      .planNetwork.id;
    await settle(netPlan);
    await settle(
      (
        await run(
          'mutation ($p: ID!) { applyNetwork(provider: LOCAL, name: "default", planJobId: $p) { id } }',
          { p: netPlan },
        )
      ).applyNetwork.id,
    );
    const plan = (await run('mutation { planService(id: "other") { id } }')).planService.id;
    await settle(plan);
    await settle(
      (await run('mutation ($p: ID!) { applyService(id: "other", planJobId: $p) { id } }', { p: plan }))
        .applyService.id,
    );
    const refused = await api.gql(token, 'mutation { deleteService(id: "other") }');
    expect(refused.body.errors?.[0]).toMatchObject({
      message: 'Service "other" is still deployed; destroy it first, then delete it.',
      extensions: { code: 'CONFLICT' },
    });
    expect((await run('{ service(id: "other") { jobs { id } } }')).service.jobs).toHaveLength(3);
  });
});
