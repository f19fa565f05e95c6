// The drift loop's throughput over many deployed fixture services, next to the same plans run by hand with the
// same parallelism (like `xargs -P`), and the CPU each drift plan costs next to tofu's own: the engine's (this
// process and the tofu spawner) apart from the S3 server's, which runs in a process of its own here, as an
// external S3 would (with the defaults it is a thread of the product's process: the sum is printed too).
//   npx --yes pnpm@10.34.8 bench:drift [services]
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createDriftLoop, createOperations, tofuSpawnerPid } from '@spawnit/engine';
import { execa } from 'execa';
import { benchEngine, pool, tofuEnv } from './support.js';

const count = Number(process.argv[2] ?? 200);
/** A process's own CPU and its waited-for children's, in ms, from /proc (clock ticks of 10 ms). */
function cpuOf(pid: number | 'self'): { own: number; children: number } {
  // Fields 14-17 of stat (utime, stime, cutime, cstime), counted after the ") " that ends the command name.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return {
    own: (Number(fields[11]) + Number(fields[12])) * 10,
    children: (Number(fields[13]) + Number(fields[14])) * 10,
  };
}
/**
 * Node's CPU (this process and the spawner that starts tofu for it), the S3 server's (a process of its own, as
 * an external S3: it answers tofu's backend and the engine alike) and tofu's (with its providers: the
 * spawner's children), in ms.
 */
function cpuMs(): { node: number; s3: number; tofu: number } {
  const self = cpuOf('self');
  const pid = tofuSpawnerPid();
  const spawner = pid ? cpuOf(pid) : { own: 0, children: 0 };
  const { user, system } = process.cpuUsage();
  return {
    node: (user + system) / 1000 + spawner.own,
    s3: cpuOf(s3Pid!).own,
    tofu: self.children + spawner.children,
  };
}
const parallelism = availableParallelism();
const { engine, close, s3Pid } = await benchEngine({ s3: 'process' });
try {
  const refs = Array.from({ length: count }, (_, i) => ({
    clientId: `client-${i % 10}`,
    serviceId: `svc-${i}`,
  }));
  const t0 = performance.now();
  await pool(refs, parallelism * 2, async (ref) => {
    await engine.createService({
      ...ref,
      templateId: 'echo',
      provider: 'local',
      networkName: 'default',
      params: { message: ref.serviceId },
    });
    const plan = await engine.plan(ref);
    await engine.apply(ref, plan.planId);
  });
  console.log(`deployed ${count} fixture services in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const operations = createOperations({ engine });
  const loop = createDriftLoop({ engine, operations, concurrency: parallelism });
  // The loop runs for the life of the process: its steady state is what counts, not the first pass after the
  // deployments (code not yet optimised, workdirs written for the first time).
  await loop.runOnce();
  let t = performance.now();
  const cpu0 = cpuMs();
  await loop.runOnce();
  const loopSeconds = (performance.now() - t) / 1000;
  const cpu1 = cpuMs();
  const nodePerPlan = (cpu1.node - cpu0.node) / count;
  const s3PerPlan = (cpu1.s3 - cpu0.s3) / count;
  const tofuPerPlan = (cpu1.tofu - cpu0.tofu) / count;
  if (loop.stats.planned !== 2 * count)
    throw new Error(`the loop planned ${loop.stats.planned} of ${2 * count}`);

  const env = tofuEnv(engine);
  // The engine takes its clear tfvars out after each step; by hand, they are written as it does before one.
  const workdirs = await Promise.all(
    refs.map(async (ref) => {
      const target = await engine.resolve(ref);
      await writeFile(path.join(target.workdir, 'terraform.tfvars.json'), target.tfvarsBody, { mode: 0o600 });
      return target.workdir;
    }),
  );
  t = performance.now();
  await pool(workdirs, parallelism, async (cwd) => {
    const r = await execa(engine.tofu.path, ['plan', '-input=false', '-detailed-exitcode', '-no-color'], {
      cwd,
      env,
      reject: false,
    });
    if (r.exitCode !== 0) throw new Error(`plan by hand in ${cwd} exited ${r.exitCode}`);
  });
  const handSeconds = (performance.now() - t) / 1000;

  const loopRate = count / loopSeconds;
  const handRate = count / handSeconds;
  console.log(
    `drift pass over ${count} services, concurrency ${parallelism} (${engine.tofu.name} ${engine.tofu.version}):`,
  );
  console.log(
    `  drift loop (list index, plan, status):             ${loopRate.toFixed(2)} plans/s (${loopSeconds.toFixed(1)} s)`,
  );
  console.log(
    `  plan by hand, same workdirs, ${parallelism} at a time:         ${handRate.toFixed(2)} plans/s (${handSeconds.toFixed(1)} s)`,
  );
  console.log(`  ratio loop / by hand: ${(loopRate / handRate).toFixed(2)}`);
  const percent = (ms: number) => `${((100 * ms) / tofuPerPlan).toFixed(0)}%`;
  console.log(
    `  CPU per drift plan next to tofu's ${tofuPerPlan.toFixed(1)} ms (target: Node at most 15%):\n` +
      `    Node, the engine's own (the tofu spawner included):  ${nodePerPlan.toFixed(1)} ms  ${percent(nodePerPlan)}\n` +
      `    the S3 server (tofu's backend reads and the engine's): ${s3PerPlan.toFixed(1)} ms  ${percent(s3PerPlan)}\n` +
      `    both, as with the embedded S3 server of the defaults: ${(nodePerPlan + s3PerPlan).toFixed(1)} ms  ${percent(nodePerPlan + s3PerPlan)}`,
  );
} finally {
  await close();
}
