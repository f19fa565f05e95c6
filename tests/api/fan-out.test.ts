import { type App, buildApp, createTokenVerifier } from '@spawnit/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, collectWs, startApi } from '../support/api.js';

// A small query whose lists nest in lists must not multiply storage reads, nor run for ever.

let api: ApiHarness;
let alice: string;
let reads = 0;
/** Calls to the engine's index, by method: a batched query calls each at most once. */
const indexCalls = new Map<string, number>();
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
  const index = api.h.engine.index as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of Object.keys(index)) {
    const call = index[method]!.bind(index);
    index[method] = (...args) => {
      indexCalls.set(method, (indexCalls.get(method) ?? 0) + 1);
      return call(...args);
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
/** The same, with the services' parameters: not in the index, so one store read per service. */
const NESTED_WITH_PARAMS =
  '{ jobs(limit: 10) { id service { id params jobs { id service { id params jobs { id state } } } } } }';
/**
 * Jobs with their logs: the engine keeps the configurations it read in memory, but a job's log is read
 * from S3 each time, so this one waits on real round trips.
 */
const NESTED_WITH_LOGS = '{ jobs(limit: 10) { id log { text } service { id jobs { id log { text } } } } }';

describe('fan-out', () => {
  it('reads each list and record once per query, however deep the lists nest', async () => {
    await asAlice(NESTED); // the index is filled by its first use
    reads = 0;
    indexCalls.clear();
    const { jobs } = (await asAlice(NESTED)) as unknown as { jobs: { service: { jobs: unknown[] } }[] };
    expect(jobs).toHaveLength(6);
    expect(jobs.every((job) => job.service.jobs.length === 2)).toBe(true);
    // Listings come from the index: no store read, and one index call per kind, not one per parent.
    console.log(`store reads for ${NESTED}: ${reads}; index calls: ${JSON.stringify([...indexCalls])}`);
    expect(reads).toBe(0);
    expect([...indexCalls.keys()].sort()).toEqual(['deployed', 'jobsOf', 'listJobs', 'services']);
    expect(Math.max(...indexCalls.values())).toBe(1);
    // What the index does not hold is read once per record, however often the query names it.
    reads = 0;
    await asAlice(NESTED_WITH_PARAMS);
    expect(reads).toBe(SERVICES.length);
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
        body: JSON.stringify({ query: NESTED_WITH_LOGS }),
      });
      const body = await response.json();
      expect(body.errors?.[0]).toMatchObject({
        message:
          'The operation ran longer than 1 ms (SPAWNIT_OPERATION_TIMEOUT_MS) and was stopped. Ask for less, or try again.',
        extensions: { code: 'TIMEOUT' },
      });
      const after = reads;
      await new Promise((resolve) => setTimeout(resolve, 500));
      // What was already in flight may end; nothing new starts.
      expect(reads - after).toBeLessThanOrEqual(SERVICES.length);
    } finally {
      await slow.stop();
    }
  });
});
