import { type App, buildApp, createTokenVerifier } from '@spawnit/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, collectWs, startApi } from '../support/api.js';

// A small query whose lists nest in lists must not multiply storage reads, nor run for ever.

let api: ApiHarness;
let alice: string;
let reads = 0;
const SERVICES = ['fan-a', 'fan-b', 'fan-c'];

async function asAlice(query: string, variables?: Record<string, unknown>) {
  const { body } = await api.gql(alice, query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as Record<string, { id: string; state?: string }>;
}

beforeAll(async () => {
  api = await startApi();
  alice = await api.token('alice');
  // Every read of the store, counted where the engine makes it (the reads themselves are real).
  const store = api.h.engine.store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of ['get', 'getJson', 'list', 'listFolders']) {
    const read = store[method]!.bind(store);
    store[method] = (...args) => {
      reads += 1;
      return read(...args);
    };
  }
  await asAlice('mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
  for (const id of SERVICES) {
    await asAlice('mutation ($input: CreateServiceInput!) { createService(input: $input) { __typename } }', {
      input: { serviceId: id, templateId: 'echo', params: { message: 'hi' } },
    });
  }
  // Two jobs per service: the network is not applied, so each plan fails at once, and its record stays.
  for (const id of [...SERVICES, ...SERVICES]) {
    const { planService } = await asAlice(`mutation { planService(id: "${id}") { id } }`);
    await api.operations.waitForJob(clientOf(), planService!.id);
  }
});
afterAll(async () => {
  await api?.close();
});

function clientOf(): string {
  return JSON.parse(Buffer.from(alice.split('.')[1]!, 'base64url').toString()).sub;
}

const NESTED =
  '{ jobs(limit: 10) { id service { id deployed jobs { id service { id deployed jobs { id state } } } } } }';

describe('fan-out', () => {
  it('reads each list and record once per query, however deep the lists nest', async () => {
    reads = 0;
    const { jobs } = (await asAlice(NESTED)) as unknown as { jobs: { service: { jobs: unknown[] } }[] };
    expect(jobs).toHaveLength(6);
    expect(jobs.every((job) => job.service.jobs.length === 2)).toBe(true);
    // One list of the jobs and their 6 records, 3 services and their 3 states: not 6 x (list + 6 records) per level.
    console.log(`store reads for ${NESTED}: ${reads}`);
    expect(reads).toBeLessThanOrEqual(1 + 6 + SERVICES.length * 2);
    expect(reads).toBeGreaterThan(0);
  });

  it('refuses a query whose nested lists ask for too much, naming the limit, over HTTP and graphql-ws', async () => {
    const query = '{ jobs(limit: 500) { service { jobs { service { jobs { id state kind } } } } } }';
    const { body } = await api.gql(alice, query);
    expect(body.errors?.[0]).toMatchObject({
      message: expect.stringMatching(
        /^List cost limit of 20000 exceeded: this operation may read \d+ records/,
      ),
      extensions: { code: 'LIMIT_EXCEEDED' },
    });
    expect(body.data ?? undefined).toBeUndefined();
    // A variable counts as much as a literal.
    const viaVariable = await api.gql(
      alice,
      'query ($n: Int) { jobs(limit: $n) { service { jobs { service { jobs { id state kind } } } } } }',
      { n: 500 },
    );
    expect(viaVariable.body.errors?.[0]?.message).toMatch(/List cost limit of 20000 exceeded/);
    const small = await api.gql(alice, 'query ($n: Int) { jobs(limit: $n) { service { jobs { id } } } }', {
      n: 2,
    });
    expect(small.body.errors).toBeUndefined();
    const ws = await collectWs(api.ws(alice), query);
    expect(JSON.stringify(ws)).toMatch(/List cost limit of 20000 exceeded/);
  });

  it('stops an operation at its deadline with TIMEOUT, and starts no read after it', async () => {
    const slow: App = buildApp({
      engine: api.h.engine,
      operations: api.operations,
      verifier: createTokenVerifier({ issuer: api.issuer }),
      operationTimeoutMs: 1,
      port: 0,
      logging: 'error',
    });
    try {
      const response = await slow.yoga.fetch('http://spawnit.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${alice}` },
        body: JSON.stringify({ query: NESTED }),
      });
      const body = await response.json();
      expect(body.errors?.[0]).toMatchObject({
        message:
          'The operation ran longer than 1 ms (SPAWNIT_OPERATION_TIMEOUT_MS) and was stopped. Ask for less, or try again.',
        extensions: { code: 'TIMEOUT' },
      });
      const after = reads;
      await new Promise((resolve) => setTimeout(resolve, 500));
      // What was already in flight may end; nothing new starts (a full query makes 13 reads).
      expect(reads - after).toBeLessThanOrEqual(6);
    } finally {
      await slow.stop();
    }
  });
});
