// A burst of log lines: an apply whose local-exec writes N lines at once (the echo fixture's `log_lines`), followed
// by an SSE and a graphql-ws subscriber of the job's log on the real socket, next to reading the same command's
// stdout directly (tofu apply by hand in the job's working directory). Each rate counts the burst's lines from
// the first to the last one received; every line must arrive once and in order.
//   npx --yes pnpm@10.34.8 bench:logs [lines] [runs] [only subscriptions whose name contains this]
import { fork } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildApp, type TokenVerifier } from '@spawnit/api';
import { createOperations, type TargetRef } from '@spawnit/engine';
import { execa } from 'execa';
import { BURST, BURST_JSON, type Line, type Received, record } from './log-lines.js';
import { benchEngine, median, tofuEnv } from './support.js';

const lineCount = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 5);
const TARGET = 0.8;
const clientId = 'bench';
/** The subscriptions measured, by name: bench/log-subscriber.ts holds their documents. */
const SUBSCRIPTIONS = ['jobLogBatches (lines per event)', 'jobLogs (one line per event)'] as const;
type Kind = (typeof SUBSCRIPTIONS)[number];
const kinds = SUBSCRIPTIONS.filter((k) => k.includes(process.argv[4] ?? ''));

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
// The subscribers run in a process of their own, as browsers do: their parsing does not share the server's
// event loop (in this process, it had slowed the engine's side to the subscribers' pace).
const subscriber = fork(fileURLToPath(new URL('./log-subscriber.ts', import.meta.url)), [url], {
  execArgv: ['--import', 'tsx'],
});
const replies: ((reply: { sse: Received; ws: Received } | { error: string }) => void)[] = [];
subscriber.on('message', (reply: { sse: Received; ws: Received } | { error: string }) =>
  replies.shift()?.(reply),
);

/** The job's log over SSE and over graphql-ws at once, followed to its end by the subscriber process. */
function subscribe(kind: Kind, jobId: string): Promise<{ sse: Received; ws: Received }> {
  return new Promise((resolve, reject) => {
    replies.push((reply) => ('error' in reply ? reject(new Error(reply.error)) : resolve(reply)));
    subscriber.send({ kind, jobId });
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
      // Where the lines enter the job's log, once read from tofu, rendered and redacted. The job's first lines
      // may be written before this listener: they are read back from the log once the job ends.
      const engineSide: Received = { lines: [], times: [] };
      const onLine = (e: { jobId: string; line: Line }) =>
        e.jobId === apply.id && record(engineSide, [e.line]);
      const unsubscribe = operations.events.subscribe('logLine', onLine);
      // Both open while tofu starts; the fixture waits a second before its burst.
      const { sse, ws: overWebSocket } = await subscribe(kind, apply.id);
      const done = await operations.waitForJob(clientId, apply.id);
      unsubscribe();
      const firstHeard = engineSide.lines[0]?.n ?? 0;
      const before = (await operations.readLog(clientId, apply.id)).filter((line) => line.n < firstHeard);
      engineSide.lines.unshift(...before);
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
  subscriber.kill();
  await app.stop();
  await operations.shutdown();
  await close();
}
