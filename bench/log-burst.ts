// A burst of log lines: an apply whose local-exec writes N lines at once (the echo fixture's `log_lines`), followed
// by an SSE and a graphql-ws subscriber of the job's log on the real socket, next to reading the same command's
// stdout directly (tofu apply by hand in the job's working directory). Each rate counts the burst's lines from
// the first to the last one received; every line must arrive once and in order.
//   npx --yes pnpm@10.34.8 bench:logs [lines] [runs] [only subscriptions whose name contains this]
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { buildApp, type TokenVerifier } from '@spawnit/api';
import { createOperations, type TargetRef } from '@spawnit/engine';
import { execa } from 'execa';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { benchEngine, median, tofuEnv } from './support.js';

const lineCount = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 5);
const TARGET = 0.8;
const clientId = 'bench';
// A burst line as the job's log shows it, and as tofu's `-json` output (what the engine reads) carries it.
const BURST = /\(local-exec\): (\d+)$/;
const BURST_JSON = /"output":"(\d+)"/;

interface Line {
  n: number;
  text: string;
}
/** Arrival times of the burst's lines, and every line in the order received. */
interface Received {
  lines: Line[];
  times: number[];
}

const SUBSCRIPTIONS = {
  'jobLogBatches (lines per event)': {
    query: 'subscription ($id: ID!) { jobLogBatches(jobId: $id) { n text } }',
    lines: (data: Record<string, unknown>) => data.jobLogBatches as Line[],
  },
  'jobLogs (one line per event)': {
    query: 'subscription ($id: ID!) { jobLogs(jobId: $id) { n text } }',
    lines: (data: Record<string, unknown>) => [data.jobLogs as Line],
  },
};
type Kind = keyof typeof SUBSCRIPTIONS;
const kinds = (Object.keys(SUBSCRIPTIONS) as Kind[]).filter((k) => k.includes(process.argv[4] ?? ''));

function record(into: Received, lines: Line[], burst = BURST): void {
  const now = performance.now();
  for (const line of lines) {
    into.lines.push(line);
    if (burst.test(line.text)) into.times.push(now);
  }
}

/** Lines per second over the burst; throws unless the log came whole, once and in order. */
function rateOf(received: Received, who: string, pattern = BURST): number {
  received.lines.forEach((line, i) => {
    if (line.n !== i)
      throw new Error(`${who}: line ${i} arrived as n=${line.n} (lost, repeated or reordered)`);
  });
  const burst = received.lines.flatMap((l) => pattern.exec(l.text)?.[1] ?? []).map(Number);
  if (burst.length !== lineCount || burst.some((value, i) => value !== i + 1)) {
    throw new Error(`${who}: got ${burst.length} of the ${lineCount} burst lines, or out of order`);
  }
  return (lineCount - 1) / ((received.times.at(-1)! - received.times[0]!) / 1000);
}

const { engine, close } = await benchEngine();
const operations = createOperations({ engine });
const verifier: TokenVerifier = {
  issuer: 'bench',
  audience: 'bench',
  verify: async () => ({
    clientId,
    username: clientId,
    roles: [],
    isAdmin: false,
    expiresAt: new Date(Date.now() + 3_600_000),
  }),
};
const app = buildApp({ engine, operations, verifier, port: 0, logging: 'error' });
const { url } = await app.start();
const ws = createClient({
  url: url.replace(/^http/, 'ws'),
  webSocketImpl: WebSocket,
  connectionParams: { authorization: 'Bearer bench' },
  retryAttempts: 0,
});

async function overSse(kind: Kind, jobId: string): Promise<Received> {
  const { query, lines } = SUBSCRIPTIONS[kind];
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
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith('event: complete')) return received;
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!block.startsWith('event: next') || !data) continue;
      const payload = JSON.parse(data) as { data?: Record<string, unknown>; errors?: unknown };
      if (!payload.data) throw new Error(`SSE: ${JSON.stringify(payload.errors)}`);
      record(received, lines(payload.data));
    }
  }
  throw new Error('SSE: the stream ended without a complete event');
}

function overWs(kind: Kind, jobId: string): Promise<Received> {
  const { query, lines } = SUBSCRIPTIONS[kind];
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

/**
 * The engine's apply command by hand (`apply -json` of a saved plan, as the engine runs it), reading tofu's
 * stdout line by line. The plan before it is not timed.
 */
async function byHand(workdir: string): Promise<number> {
  // The engine removes its clear tfvars after each step; by hand, they are written as it does before one.
  await writeFile(path.join(workdir, 'terraform.tfvars.json'), (await engine.resolve(service)).tfvarsBody, {
    mode: 0o600,
  });
  const options = { cwd: workdir, env: tofuEnv(engine), reject: false } as const;
  const lock = `-lock-timeout=30s`;
  const plan = await execa(
    engine.tofu.path,
    ['plan', '-input=false', lock, '-no-color', '-out=hand.tfplan'],
    options,
  );
  if (plan.exitCode !== 0) throw new Error(`plan by hand exited ${plan.exitCode}: ${plan.stderr}`);
  const child = execa(
    engine.tofu.path,
    ['apply', '-json', '-input=false', lock, '-no-color', 'hand.tfplan'],
    options,
  );
  const received: Received = { lines: [], times: [] };
  for await (const text of readline.createInterface({ input: child.stdout! })) {
    record(received, [{ n: received.lines.length, text }], BURST_JSON);
  }
  const result = await child;
  if (result.exitCode !== 0) throw new Error(`apply by hand exited ${result.exitCode}: ${result.stderr}`);
  await rm(path.join(workdir, 'hand.tfplan'), { force: true });
  await rm(path.join(workdir, 'terraform.tfvars.json'), { force: true });
  return rateOf(received, 'by hand', BURST_JSON);
}

const service: TargetRef = { kind: 'service', clientId, serviceId: 'chatty' };
try {
  const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
  await engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  await engine.apply(network, (await engine.plan(network)).planId);
  await engine.createService({
    clientId,
    serviceId: 'chatty',
    templateId: 'echo',
    provider: 'local',
    networkName: 'default',
    params: { message: 'x', log_lines: lineCount },
  });
  const workdir = (await engine.resolve(service)).workdir;

  const rates: Record<string, number[]> = { 'by hand': [] };
  // Interleaved, so every reader sees the same machine load; a first round (not counted) warms each path up.
  let late = 0;
  for (let round = 0; round <= runs; round++) {
    const found: [string, number][] = [];
    for (const kind of kinds) {
      const plan = await operations.waitForJob(clientId, (await operations.plan(service)).id);
      if (plan.state !== 'succeeded') throw new Error(`the plan job ${plan.state}: ${plan.error}`);
      const apply = await operations.apply(service, plan.id);
      // Where the lines enter the job's log, once read from tofu, rendered and redacted. The job's first line
      // was written before this listener.
      const engineSide: Received = { lines: [{ n: 0, text: '' }], times: [] };
      const onLine = (e: { jobId: string; line: Line }) =>
        e.jobId === apply.id && record(engineSide, [e.line]);
      const unsubscribe = operations.events.subscribe('logLine', onLine);
      // Both open while tofu starts; the fixture waits a second before its burst.
      const [sse, overWebSocket] = await Promise.all([overSse(kind, apply.id), overWs(kind, apply.id)]);
      const done = await operations.waitForJob(clientId, apply.id);
      unsubscribe();
      if (done.state !== 'succeeded') throw new Error(`the apply job ${done.state}: ${done.error}`);
      const live = [rateOf(sse, `${kind} over SSE`), rateOf(overWebSocket, `${kind} over graphql-ws`)];
      // A subscriber that opened after the burst got it replayed from memory, which measures nothing live.
      if ([sse, overWebSocket].some((r) => r.times[0]! > engineSide.times.at(-1)!)) {
        late += 1;
        continue;
      }
      found.push(
        [`${kind} over SSE`, live[0]!],
        [`${kind} over graphql-ws`, live[1]!],
        [`  ${kind.split(' ')[0]}: lines into the job log (engine side)`, rateOf(engineSide, 'engine side')],
      );
    }
    found.push(['by hand', await byHand(workdir)]);
    if (round === 0) continue;
    for (const [name, rate] of found) rates[name] = [...(rates[name] ?? []), rate];
  }

  const baseline = median(rates['by hand']!);
  if (late > 0) console.log(`(${late} subscription runs left out: the subscriber opened after the burst)`);
  console.log(
    `${lineCount} lines in one burst, median of ${runs} (${engine.tofu.name} ${engine.tofu.version}), lines/s; target >= ${TARGET}x:`,
  );
  for (const [name, values] of Object.entries(rates)) {
    const m = median(values);
    const verdict =
      name === 'by hand'
        ? '(baseline)'
        : name.startsWith(' ')
          ? ''
          : m / baseline >= TARGET
            ? 'ok'
            : 'BELOW TARGET';
    console.log(
      `  ${name.padEnd(56)} ${m.toFixed(0).padStart(8)}   ${(m / baseline).toFixed(2)}x  ${verdict}   [${values.map((v) => v.toFixed(0)).join(', ')}]`,
    );
  }
} finally {
  await ws.dispose();
  await app.stop();
  await operations.shutdown();
  await close();
}
