// The drift loop's throughput over many deployed fixture services, next to the same plans run by hand with the
// same parallelism (like `xargs -P`).
//   npx --yes pnpm@10.34.8 bench:drift [services]
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createDriftLoop, createOperations } from '@spawnit/engine';
import { execa } from 'execa';
import { benchEngine, pool, tofuEnv } from './support.js';

const count = Number(process.argv[2] ?? 200);
/** CPU ms of the children this process waited for (tofu and its providers), from /proc (clock ticks of 10 ms). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // Fields 16 and 17 of stat (cutime, cstime), counted after the ") " that ends the command name.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}
const selfCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const parallelism = availableParallelism();
const { engine, close } = await benchEngine();
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
  const [node0, tofu0] = [selfCpuMs(), childrenCpuMs()];
  await loop.runOnce();
  const loopSeconds = (performance.now() - t) / 1000;
  // Node's CPU in this process includes the embedded S3 server that answers tofu's backend.
  const nodePerPlan = (selfCpuMs() - node0) / count;
  const tofuPerPlan = (childrenCpuMs() - tofu0) / count;
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
  console.log(
    `  CPU per drift plan: Node ${nodePerPlan.toFixed(1)} ms (the embedded S3 server included) next to tofu's ${tofuPerPlan.toFixed(1)} ms: ${((100 * nodePerPlan) / tofuPerPlan).toFixed(0)}% (target 15%)`,
  );
} finally {
  await close();
}
