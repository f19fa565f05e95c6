// What the engine adds to each tofu command: plan, apply and destroy of a fixture service through the engine
// (S3 reads and writes, working directory, summary, the plan kept in S3) next to the same tofu commands run by
// hand in the same working directory (init done, same S3 backend, same flags), interleaved so both see the same
// machine load. The engine reads a plan with changes with `show -json` (the summary the UI draws): the figures
// by hand are given without it (the bare commands) and with it, run as the engine runs them (a destroy's show
// beside its apply).
//   npx --yes pnpm@10.34.8 bench:overhead [runs]
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TargetRef } from '@spawnit/engine';
import { execa } from 'execa';
import { benchEngine, median, tofuEnv } from './support.js';

const runs = Number(process.argv[2] ?? 7);
const TARGET = 1.05;
const { engine, close } = await benchEngine();
try {
  const clientId = 'bench';
  const service: TargetRef = { kind: 'service', clientId, serviceId: 'overhead' };
  await engine.createService({
    clientId,
    serviceId: 'overhead',
    templateId: 'echo',
    provider: 'local',
    networkName: 'default',
    params: { message: 'x' },
  });
  const workdir = (await engine.resolve(service)).workdir;
  const env = tofuEnv(engine);
  const lock = '-lock-timeout=30s';
  const tofu = async (args: string[], expect: number[] = [0]): Promise<number> => {
    const t = performance.now();
    const result = await execa(engine.tofu.path, args, { cwd: workdir, env, reject: false });
    const ms = performance.now() - t;
    if (!expect.includes(result.exitCode ?? -1)) {
      throw new Error(`${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
    }
    return ms;
  };
  // The engine's own command lines (runner/plan.ts and runner/apply.ts).
  const plan = (file: string, destroy = false) =>
    tofu(
      [
        'plan',
        '-input=false',
        lock,
        '-detailed-exitcode',
        `-out=${file}`,
        ...(destroy ? ['-destroy'] : []),
        '-no-color',
      ],
      [2],
    );
  const show = (file: string) => tofu(['show', '-json', file]);
  const apply = (file: string) => tofu(['apply', '-json', '-input=false', lock, '-no-color', file]);

  // The time the engine spends in tofu, to tell its own work (S3, files, summary) from a slower tofu.
  // Wall time while at least one tofu runs (a destroy's show -json runs beside its apply).
  let inTofu = 0;
  let running = 0;
  let since = 0;
  const run = engine.runContext.run.bind(engine.runContext);
  engine.runContext.run = async (args, options) => {
    if (running++ === 0) since = performance.now();
    try {
      return await run(args, options);
    } finally {
      if (--running === 0) inTofu += performance.now() - since;
    }
  };
  const times: Record<string, number[]> = {};
  const add = (name: string, ms: number) => {
    times[name] = [...(times[name] ?? []), ms];
  };
  // One plan, apply and destroy through the engine, and the same tofu commands by hand (the same state: each
  // leaves nothing deployed).
  const throughEngine = async () => {
    inTofu = 0;
    let t = performance.now();
    const planned = await engine.plan(service);
    const enginePlan = performance.now() - t;
    const planTofu = inTofu;
    if (planned.status !== 'drifted') throw new Error(`expected a plan with changes, got ${planned.status}`);
    inTofu = 0;
    t = performance.now();
    await engine.apply(service, planned.planId);
    const engineApply = performance.now() - t;
    const applyTofu = inTofu;
    inTofu = 0;
    t = performance.now();
    const destroyed = await engine.destroy(service);
    const engineDestroy = performance.now() - t;
    const destroyTofu = inTofu;
    if (!destroyed.applied) throw new Error(`the destroy applied nothing: ${destroyed.plan.error}`);
    return { enginePlan, planTofu, engineApply, applyTofu, engineDestroy, destroyTofu };
  };
  const byHand = async () => {
    // The engine takes its clear tfvars out after each step; by hand, they are written as it does before one.
    await writeFile(path.join(workdir, 'terraform.tfvars.json'), (await engine.resolve(service)).tfvarsBody, {
      mode: 0o600,
    });
    const handPlan = await plan('hand.tfplan');
    const handShow = await show('hand.tfplan');
    const handApply = await apply('hand.tfplan');
    const handDestroyPlan = await plan('hand-destroy.tfplan', true);
    // As the engine runs them: show -json beside the apply (both only read the plan file).
    const t = performance.now();
    await Promise.all([show('hand-destroy.tfplan'), apply('hand-destroy.tfplan')]);
    const handDestroyShowBeside = performance.now() - t;
    // Deployed again (not counted), then destroyed with the bare commands: plan -destroy and apply, no show.
    await plan('hand-again.tfplan');
    await apply('hand-again.tfplan');
    const bareDestroy = (await plan('hand-bare.tfplan', true)) + (await apply('hand-bare.tfplan'));
    for (const file of [
      'hand.tfplan',
      'hand-destroy.tfplan',
      'hand-again.tfplan',
      'hand-bare.tfplan',
      'terraform.tfvars.json',
    ]) {
      await rm(path.join(workdir, file), { force: true });
    }
    return {
      handPlan,
      handShow,
      handApply,
      handDestroyPlan,
      handDestroyShowBeside,
      bareDestroy,
    };
  };
  // A first round (not counted) runs init and warms every path up. Every other round goes by hand first, so
  // neither side always runs just after the other.
  for (let round = 0; round <= runs; round++) {
    const counted = round > 0;
    let e: Awaited<ReturnType<typeof throughEngine>>;
    let h: Awaited<ReturnType<typeof byHand>>;
    if (round % 2 === 0) {
      e = await throughEngine();
      h = await byHand();
    } else {
      h = await byHand();
      e = await throughEngine();
    }
    const { enginePlan, planTofu, engineApply, applyTofu, engineDestroy, destroyTofu } = e;
    const { handPlan, handShow, handApply, handDestroyPlan, handDestroyShowBeside, bareDestroy } = h;
    if (!counted) continue;
    add('plan engine', enginePlan);
    add('plan engine in tofu', planTofu);
    add('apply engine in tofu', applyTofu);
    add('destroy engine in tofu', destroyTofu);
    add('plan engine outside tofu', enginePlan - planTofu);
    add('apply engine outside tofu', engineApply - applyTofu);
    add('destroy engine outside tofu', engineDestroy - destroyTofu);
    add('plan hand', handPlan);
    add('plan hand+show', handPlan + handShow);
    add('apply engine', engineApply);
    add('apply hand', handApply);
    add('apply hand+show', handApply);
    add('destroy engine', engineDestroy);
    add('destroy hand', bareDestroy);
    add('destroy hand+show', handDestroyPlan + handDestroyShowBeside);
  }

  console.log(
    `engine next to the same tofu commands by hand, median of ${runs} (${engine.tofu.name} ${engine.tofu.version}); target <= ${TARGET}x:`,
  );
  console.log(
    `  ${'command'.padEnd(10)} ${'engine'.padStart(8)} ${'by hand'.padStart(9)} ${'ratio'.padStart(6)}   ${'by hand + show -json'.padStart(20)} ${'ratio'.padStart(6)}`,
  );
  for (const command of ['plan', 'apply', 'destroy']) {
    const e = median(times[`${command} engine`]!);
    const h = median(times[`${command} hand`]!);
    const hs = median(times[`${command} hand+show`]!);
    // Against the commands the engine runs, by hand, run as it runs them: a plan is plan, then show -json (the
    // summary the user reads needs the plan file); a destroy is plan -destroy, then show -json beside apply.
    const same = hs;
    const verdict = `${(e / same).toFixed(2)}x its commands by hand: ${e / same <= TARGET ? 'ok' : 'OVER TARGET'}`;
    console.log(
      `  ${command.padEnd(10)} ${e.toFixed(0).padStart(6)} ms ${h.toFixed(0).padStart(6)} ms ${(e / h).toFixed(2).padStart(6)}x  ${hs.toFixed(0).padStart(17)} ms ${(e / hs).toFixed(2).padStart(6)}x  ${verdict}`,
    );
  }
  console.log(
    '  (by hand: the bare commands, plan; apply; plan -destroy and apply. + show -json: the commands the engine\n   runs, as it runs them: plan, then show; apply (no show); plan -destroy, then show beside apply. The verdict\n   compares each command with the latter)',
  );
  for (const [what, row] of [
    ["the engine's own time, while no tofu runs (S3, files, summary)", 'outside tofu'],
    ['tofu run by the engine (plan and show -json; apply; plan, show -json beside apply)', 'in tofu'],
  ]) {
    console.log(
      `  ${what}, median ms: ${['plan', 'apply', 'destroy']
        .map((command) => `${command} ${median(times[`${command} engine ${row}`]!).toFixed(0)}`)
        .join(', ')}`,
    );
  }
  console.log('  every run, ms:');
  for (const [name, values] of Object.entries(times)) {
    console.log(`    ${name.padEnd(18)} ${values.map((v) => v.toFixed(0)).join(' ')}`);
  }
} finally {
  await close();
}
