import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, collectWs, startApi } from '../support/api.js';

// A burst of 10,000 lines (an apply whose local-exec runs `seq`) followed live over SSE and graphql-ws, with
// `jobLogBatches` (several lines per event) and `jobLogs` (one per event): every line once, in order.

interface Line {
  n: number;
  text: string;
}

const LINES = 10_000;
let api: ApiHarness;
let token: string;

beforeAll(async () => {
  api = await startApi();
  token = await api.token('alice');
});
afterAll(async () => {
  await api?.close();
});

/** Runs a mutation over HTTP; fails the test on any GraphQL error. */
// biome-ignore lint/suspicious/noExplicitAny: the data has the shape of each mutation
async function run(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>> {
  const { body } = await api.gql(token, query, variables, 'http');
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data!;
}

async function settle(jobId: string): Promise<void> {
  const { events } = await api.sse<{ jobUpdated: { state: string; error: string | null } }>(
    token,
    'subscription ($id: ID!) { jobUpdated(jobId: $id) { state error } }',
    { id: jobId },
  );
  const job = events.at(-1)!.data!.jobUpdated;
  expect(job.state, job.error ?? '').toBe('SUCCEEDED');
}

/** Every line once and in order: numbers from 0 without gaps, and the burst's 1..LINES in sequence. */
function expectWhole(lines: Line[]): void {
  expect(lines.map((l) => l.n)).toEqual(lines.map((_, i) => i));
  const burst = lines.flatMap((l) => /\(local-exec\): (\d+)$/.exec(l.text)?.[1] ?? []).map(Number);
  expect(burst).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
  expect(lines.map((l) => l.text)).toContainEqual(expect.stringMatching(/^Apply complete!/));
}

describe('a burst of 10,000 log lines', () => {
  it('reaches SSE and graphql-ws subscribers whole, once and in order, batched or line by line', async () => {
    await run('mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
    const { planNetwork } = await run('mutation { planNetwork(provider: LOCAL, name: "default") { id } }');
    await settle(planNetwork.id);
    const { applyNetwork } = await run(
      'mutation ($id: ID!) { applyNetwork(provider: LOCAL, name: "default", planJobId: $id) { id } }',
      { id: planNetwork.id },
    );
    await settle(applyNetwork.id);
    await run(
      'mutation ($input: CreateServiceInput!) { createService(input: $input) { __typename ... on Service { id } } }',
      { input: { serviceId: 'chatty', templateId: 'echo', params: { message: 'hi', log_lines: LINES } } },
    );
    const { planService } = await run('mutation { planService(id: "chatty") { id } }');
    await settle(planService.id);
    const { applyService } = await run(
      'mutation ($id: ID!) { applyService(id: "chatty", planJobId: $id) { id } }',
      { id: planService.id },
    );

    // All four open while tofu starts (the fixture waits a second before its burst), and follow it live.
    const batches = 'subscription ($id: ID!) { jobLogBatches(jobId: $id) { n text } }';
    const single = 'subscription ($id: ID!) { jobLogs(jobId: $id) { n text } }';
    const variables = { id: applyService.id };
    const [batchesSse, batchesWs, singleSse, singleWs] = await Promise.all([
      api.sse<{ jobLogBatches: Line[] }>(token, batches, variables),
      collectWs<{ jobLogBatches: Line[] }>(api.ws(token), batches, variables),
      api.sse<{ jobLogs: Line }>(token, single, variables),
      collectWs<{ jobLogs: Line }>(api.ws(token), single, variables),
    ]);
    expect(batchesSse.completed).toBe(true);
    expect(singleSse.completed).toBe(true);
    expect(batchesWs.error).toBeUndefined();
    expect(singleWs.error).toBeUndefined();

    const overSse = batchesSse.events.flatMap((e) => e.data!.jobLogBatches);
    expectWhole(overSse);
    expect(batchesWs.results.flatMap((r) => r.data!.jobLogBatches)).toEqual(overSse);
    expect(singleSse.events.map((e) => e.data!.jobLogs)).toEqual(overSse);
    expect(singleWs.results.map((r) => r.data!.jobLogs)).toEqual(overSse);
    // Batched: many lines per event, none over the cap.
    const sizes = batchesSse.events.map((e) => e.data!.jobLogBatches.length);
    expect(sizes.length).toBeLessThan(overSse.length / 2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(1_000);

    // The stored log (read back once the job ended) is the same, batched from any line.
    const { body } = await api.gql<{ job: { log: Line[] } }>(
      token,
      'query ($id: ID!) { job(id: $id) { log { n text } } }',
      variables,
    );
    expect(body.data!.job.log).toEqual(overSse);
    const resumed = await collectWs<{ jobLogBatches: Line[] }>(
      api.ws(token),
      'subscription ($id: ID!) { jobLogBatches(jobId: $id, fromLine: 5000) { n text } }',
      variables,
    );
    expect(resumed.results.flatMap((r) => r.data!.jobLogBatches)).toEqual(overSse.slice(5000));
  });
});
