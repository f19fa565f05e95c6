// A user's service plan job (queue, network check, plan, status, record) next to a plain plan of the same
// service through the engine, interleaved so both see the same machine load.
//   npx --yes pnpm@10.34.8 bench:plan-job [runs]
import { createOperations, type TargetRef } from '@spawnit/engine';
import { benchEngine, median } from './support.js';

const runs = Number(process.argv[2] ?? 15);
const { engine, close } = await benchEngine();
const operations = createOperations({ engine });
try {
  const clientId = 'bench';
  const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
  const service: TargetRef = { kind: 'service', clientId, serviceId: 'web' };
  await engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  await engine.apply(network, (await engine.plan(network)).planId);
  await engine.createService({
    clientId,
    serviceId: 'web',
    templateId: 'echo',
    provider: 'local',
    networkName: 'default',
    params: { message: 'x' },
  });
  await engine.apply(service, (await engine.plan(service)).planId);

  // Wall time while a tofu runs, to tell the job's own work (S3 writes, network check) from tofu's; and when the
  // first tofu started and the last one ended, to tell the work before tofu from the work after.
  let inTofu = 0;
  let firstStart = 0;
  let lastEnd = 0;
  const run = engine.runContext.run.bind(engine.runContext);
  engine.runContext.run = async (args, options) => {
    const t = performance.now();
    firstStart ||= t;
    try {
      return await run(args, options);
    } finally {
      lastEnd = performance.now();
      inTofu += lastEnd - t;
    }
  };
  const beforeTofu = { job: [] as number[], plain: [] as number[] };
  const afterTofu = { job: [] as number[], plain: [] as number[] };
  const jobOwn: number[] = [];
  const plainOwn: number[] = [];
  const jobTimes: number[] = [];
  const plainTimes: number[] = [];
  const networkTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    inTofu = 0;
    firstStart = 0;
    let t = performance.now();
    const job = await operations.waitForJob(clientId, (await operations.plan(service)).id);
    jobTimes.push(performance.now() - t);
    jobOwn.push(jobTimes.at(-1)! - inTofu);
    beforeTofu.job.push(firstStart - t);
    afterTofu.job.push(t + jobTimes.at(-1)! - lastEnd);
    if (job.state !== 'succeeded') throw new Error(`the plan job ${job.state}: ${job.error}`);
    inTofu = 0;
    firstStart = 0;
    t = performance.now();
    const plain = await engine.plan(service);
    plainTimes.push(performance.now() - t);
    plainOwn.push(plainTimes.at(-1)! - inTofu);
    beforeTofu.plain.push(firstStart - t);
    afterTofu.plain.push(t + plainTimes.at(-1)! - lastEnd);
    if (plain.status !== 'compliant') throw new Error(`expected a no-op plan, got ${plain.status}`);
    t = performance.now();
    await engine.plan(network, { save: false });
    networkTimes.push(performance.now() - t);
  }
  const j = median(jobTimes);
  const p = median(plainTimes);
  console.log(`service plan, median of ${runs} (${engine.tofu.name} ${engine.tofu.version}):`);
  console.log(`  plan job (network check, plan, status, record):  ${j.toFixed(0)} ms`);
  console.log(`  engine.plan of the service alone:                ${p.toFixed(0)} ms`);
  console.log(
    `  engine.plan of the network (the check, when it runs): ${median(networkTimes).toFixed(0)} ms`,
  );
  console.log(`  ratio job / plain plan: ${(j / p).toFixed(2)} (target <= 1.15)`);
  console.log(
    `  own time while no tofu runs, median: job ${median(jobOwn).toFixed(0)} ms, plain plan ${median(plainOwn).toFixed(0)} ms`,
  );
  // Before: the job's marker written, its configuration and its network's state read; after: its record (its
  // log inside it when short).
  console.log(
    `    before tofu starts: job ${median(beforeTofu.job).toFixed(1)} ms, plain plan ${median(beforeTofu.plain).toFixed(1)} ms; after it ends: job ${median(afterTofu.job).toFixed(1)} ms, plain plan ${median(afterTofu.plain).toFixed(1)} ms`,
  );
} finally {
  await operations.shutdown();
  await close();
}
