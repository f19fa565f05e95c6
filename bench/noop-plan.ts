// A no-op plan through the engine next to `plan` run by hand in the same working directory.
//   npx --yes pnpm@10.34.8 bench:noop-plan [runs]
import { execa } from 'execa';
import { benchEngine, median, tofuEnv } from './support.js';

const runs = Number(process.argv[2] ?? 15);
const { engine, close } = await benchEngine();
try {
  const service = { clientId: 'bench', serviceId: 'noop' };
  await engine.createService({
    ...service,
    templateId: 'echo',
    provider: 'local',
    networkName: 'default',
    params: { message: 'x' },
  });
  const first = await engine.plan(service);
  await engine.apply(service, first.planId);
  const workdir = (await engine.resolve(service)).workdir;
  const env = tofuEnv(engine);
  const byHand = ['plan', '-input=false', '-lock-timeout=30s', '-detailed-exitcode', '-no-color'];

  const engineTimes: number[] = [];
  const handTimes: number[] = [];
  // Interleaved, so both see the same machine load.
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const result = await engine.plan(service);
    engineTimes.push(performance.now() - t);
    if (result.status !== 'compliant') throw new Error(`expected a no-op plan, got ${result.status}`);
    t = performance.now();
    const hand = await execa(engine.tofu.path, byHand, { cwd: workdir, env, reject: false });
    handTimes.push(performance.now() - t);
    if (hand.exitCode !== 0) throw new Error(`plan by hand exited ${hand.exitCode}: ${hand.stderr}`);
  }
  const e = median(engineTimes);
  const h = median(handTimes);
  console.log(`no-op plan, median of ${runs} (${engine.tofu.name} ${engine.tofu.version}):`);
  console.log(`  engine.plan (S3 read, init skipped, plan -out):     ${e.toFixed(0)} ms`);
  console.log(`  ${engine.tofu.name} plan by hand, same workdir:          ${h.toFixed(0)} ms`);
  console.log(`  ratio engine / by hand: ${(e / h).toFixed(2)}`);
} finally {
  await close();
}
