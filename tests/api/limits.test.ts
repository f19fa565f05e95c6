import { targetKeyOf } from '@spawnit/engine';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi } from '../support/api.js';

// Per-user resources are bounded: jobs waiting on one target (subscriptions: see subscriptions.test.ts).

let api: ApiHarness;
let alice: string;

beforeAll(async () => {
  api = await startApi();
  alice = await api.token('alice');
});
afterAll(async () => {
  await api?.close();
});

async function asAlice(query: string, variables?: Record<string, unknown>) {
  const { body } = await api.gql(alice, query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as Record<string, { id: string; __typename?: string }>;
}

describe('queued jobs per target', () => {
  it('refuses a sixth waiting job on one service, naming the limit; another service still queues', async () => {
    await asAlice('mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
    for (const id of ['queued-one', 'queued-two']) {
      await asAlice(
        'mutation ($input: CreateServiceInput!) { createService(input: $input) { __typename } }',
        { input: { serviceId: id, templateId: 'echo', params: { message: 'hi' } } },
      );
    }
    const clientId = decodeJwt(alice).sub as string;
    // A run holds the service (as a long apply would): every plan asked for now waits.
    const release = await api.operations.lock.acquire(
      targetKeyOf({ kind: 'service', clientId, serviceId: 'queued-one' }),
    );
    const queued: string[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        queued.push((await asAlice('mutation { planService(id: "queued-one") { id } }')).planService!.id);
      }
      const refused = await api.gql(alice, 'mutation { planService(id: "queued-one") { id } }');
      expect(refused.body.errors).toEqual([
        {
          message:
            'The service "queued-one" already has 5 jobs waiting, the most allowed (SPAWNIT_MAX_QUEUED_JOBS_PER_TARGET=5): wait for them to run, or cancel one.',
          path: ['planService'],
          locations: expect.any(Array),
          extensions: { code: 'LIMIT_EXCEEDED' },
        },
      ]);
      // The limit is per target: another service of the same user still queues.
      const other = await asAlice('mutation { planService(id: "queued-two") { id } }');
      queued.push(other.planService!.id);
      // A cancelled job frees its place.
      await asAlice(`mutation { cancelJob(id: "${queued[0]}") { id } }`);
      queued.push((await asAlice('mutation { planService(id: "queued-one") { id } }')).planService!.id);
    } finally {
      for (const id of queued) await api.gql(alice, `mutation { cancelJob(id: "${id}") { id } }`);
      release();
    }
  });
});
