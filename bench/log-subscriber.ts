// The subscriber process of bench/log-burst.ts: follows a job's log over SSE and over graphql-ws at once, as two
// browsers would, and sends back every line with the arrival times of the burst's lines.
//   forked with the API's URL; receives { kind, jobId }, answers { sse, ws } or { error }
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { sseEvents } from '../tests/support/sse.js';
import { type Line, type Received, record } from './log-lines.js';

const url = process.argv[2]!;
const SUBSCRIPTIONS: Record<string, { query: string; lines: (data: Record<string, unknown>) => Line[] }> = {
  'jobLogBatches (lines per event)': {
    query: 'subscription ($id: ID!) { jobLogBatches(jobId: $id) { n text } }',
    lines: (data) => data.jobLogBatches as Line[],
  },
  'jobLogs (one line per event)': {
    query: 'subscription ($id: ID!) { jobLogs(jobId: $id) { n text } }',
    lines: (data) => [data.jobLogs as Line],
  },
};
const ws = createClient({
  url: url.replace(/^http/, 'ws'),
  webSocketImpl: WebSocket,
  connectionParams: { authorization: 'Bearer bench' },
  retryAttempts: 0,
});

async function overSse(kind: string, jobId: string): Promise<Received> {
  const { query, lines } = SUBSCRIPTIONS[kind]!;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: 'Bearer bench',
    },
    body: JSON.stringify({ query, variables: { id: jobId } }),
  });
  const received: Received = { lines: [], times: [] };
  for await (const { event, data } of sseEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
    if (event === 'complete') return received;
    if (event !== 'next' || !data) continue;
    const payload = JSON.parse(data) as { data?: Record<string, unknown>; errors?: unknown };
    if (!payload.data) throw new Error(`SSE: ${JSON.stringify(payload.errors)}`);
    record(received, lines(payload.data));
  }
  throw new Error('SSE: the stream ended without a complete event');
}

function overWs(kind: string, jobId: string): Promise<Received> {
  const { query, lines } = SUBSCRIPTIONS[kind]!;
  const received: Received = { lines: [], times: [] };
  return new Promise((resolve, reject) => {
    ws.subscribe<Record<string, unknown>>(
      { query, variables: { id: jobId } },
      {
        next: (value) => (value.data ? record(received, lines(value.data)) : reject(value.errors)),
        error: reject,
        complete: () => resolve(received),
      },
    );
  });
}

process.on('message', async ({ kind, jobId }: { kind: string; jobId: string }) => {
  try {
    const [sse, overWebSocket] = await Promise.all([overSse(kind, jobId), overWs(kind, jobId)]);
    process.send!({ sse, ws: overWebSocket });
  } catch (error) {
    process.send!({ error: error instanceof Error ? error.message : JSON.stringify(error) });
  }
});
process.on('disconnect', () => process.exit(0));
