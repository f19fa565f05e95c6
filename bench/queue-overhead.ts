// What the queue adds to one run: a plan job of a deployed fixture service (a no-op plan) from asking to the
// job's end, (a) through the one-process operations, (b) through the PostgreSQL mode with one worker (an
// engine of its own, its own data folder, the same database and S3), next to (c) the same `tofu plan` by
// hand in the one-process engine's working directory (init done, same S3 backend, same flags), interleaved so
// all three see the same machine load. A first round (not counted) runs init and the network check.
//   npx --yes pnpm@10.34.8 bench:queue [runs]
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createDistributedOperations,
  createOperations,
  type Operations,
  startDistributedWorker,
  type TargetRef,
} from '@spawnit/engine';
import { execa } from 'execa';
import { startPostgres } from '../tests/support/postgres.js';
import { benchEngine, median, tofuEnv } from './support.js';

const runs = Number(process.argv[2] ?? 10);
const clientId = 'bench';
const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
const service: TargetRef = { kind: 'service', clientId, serviceId: 'queued' };

const { engine, reopen, close } = await benchEngine();
const pg = await startPostgres();
const stops: (() => Promise<unknown>)[] = [];
try {
  await engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  await engine.apply(network, (await engine.plan(network)).planId);
  await engine.createService({
    clientId,
    serviceId: 'queued',
    templateId: 'echo',
    provider: 'local',
    networkName: 'default',
    params: { message: 'x' },
  });
  await engine.apply(service, (await engine.plan(service)).planId);

  const local = createOperations({ engine });
  stops.push(() => local.shutdown());
  // Opened after every write above: the database's index is filled from S3 by its first use.
  const apiEngine = await reopen({ databaseUrl: pg.url, dataDir: 'api' });
  const workerEngine = await reopen({ databaseUrl: pg.url, dataDir: 'worker-1' });
  stops.push(
    () => apiEngine.close(),
    () => workerEngine.close(),
  );
  const distributed = await createDistributedOperations({ engine: apiEngine, databaseUrl: pg.url });
  stops.push(() => distributed.shutdown());
  const worker = await startDistributedWorker({ engine: workerEngine, databaseUrl: pg.url, id: 'w1' });
  stops.push(() => worker.stop());

  const job = async (operations: Operations) => {
    const t = performance.now();
    const ended = await operations.waitForJob(clientId, (await operations.plan(service)).id);
    const ms = performance.now() - t;
    if (ended.state !== 'succeeded' || ended.planStatus !== 'compliant') {
      throw new Error(`the plan job ended ${ended.state} (${ended.planStatus}): ${ended.error}`);
    }
    return ms;
  };
  // The engine's own command line (runner/plan.ts), on the tfvars it writes before a step.
  const workdir = (await engine.resolve(service)).workdir;
  const env = tofuEnv(engine);
  const byHand = async () => {
    await writeFile(path.join(workdir, 'terraform.tfvars.json'), (await engine.resolve(service)).tfvarsBody, {
      mode: 0o600,
    });
    const t = performance.now();
    const result = await execa(
      engine.tofu.path,
      ['plan', '-input=false', '-lock-timeout=30s', '-detailed-exitcode', '-out=hand.tfplan', '-no-color'],
      { cwd: workdir, env, reject: false },
    );
    const ms = performance.now() - t;
    if (result.exitCode !== 0) throw new Error(`plan by hand exited ${result.exitCode}: ${result.stderr}`);
    for (const file of ['hand.tfplan', 'terraform.tfvars.json']) {
      await rm(path.join(workdir, file), { force: true });
    }
    return ms;
  };

  const times = { local: [] as number[], distributed: [] as number[], hand: [] as number[] };
  for (let round = 0; round <= runs; round += 1) {
    const a = await job(local);
    const b = await job(distributed);
    const c = await byHand();
    if (round === 0) continue;
    times.local.push(a);
    times.distributed.push(b);
    times.hand.push(c);
  }
  const [a, b, c] = [median(times.local), median(times.distributed), median(times.hand)];
  console.log(
    `plan job of a deployed service (no-op plan), asking to the job's end, median of ${runs} (${engine.tofu.name} ${engine.tofu.version}):`,
  );
  console.log(
    `  (a) one process (createOperations):              ${a.toFixed(0).padStart(6)} ms  ${(a / c).toFixed(2)}x`,
  );
  console.log(
    `  (b) PostgreSQL mode, one worker (graphile-worker): ${b.toFixed(0).padStart(6)} ms  ${(b / c).toFixed(2)}x`,
  );
  console.log(
    `  (c) ${engine.tofu.name} plan by hand, same working directory: ${c.toFixed(0).padStart(6)} ms  1.00x`,
  );
  console.log(
    `  queue added per run: (a) - (c) ${(a - c).toFixed(0)} ms, (b) - (c) ${(b - c).toFixed(0)} ms, (b) / (a) ${(b / a).toFixed(2)}x`,
  );
  console.log('  every run, ms:');
  for (const [name, values] of Object.entries(times)) {
    console.log(`    ${name.padEnd(12)} ${values.map((v) => v.toFixed(0)).join(' ')}`);
  }
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await pg.close();
  await close();
}
