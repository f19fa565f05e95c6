import { createDriftLoop, createOperations, type Operations, type TargetRef } from '@spawnit/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineHarness, startEngine } from '../support/engine.js';
import { waitFor } from '../support/gate.js';

// The periodic sweep spreads its plans over the interval rather than starting them all at once, so a
// large setup does not burst every interval (real terraform on the fixture catalog).

const clientId = 'spread';
const SERVICES = ['s1', 's2', 's3'];
const INTERVAL = 3000;
let h: EngineHarness;
let ops: Operations;

beforeAll(async () => {
  h = await startEngine();
  ops = createOperations({ engine: h.engine });
  await h.engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  await deploy({ kind: 'network', clientId, provider: 'local', networkName: 'default' });
  for (const serviceId of SERVICES) {
    await h.engine.createService({
      clientId,
      serviceId,
      templateId: 'echo',
      provider: 'local',
      networkName: 'default',
      params: { message: serviceId },
    });
    await deploy({ kind: 'service', clientId, serviceId });
  }
}, 300_000);
afterAll(async () => {
  await ops?.shutdown();
  await h?.close();
});

async function deploy(ref: TargetRef) {
  const plan = await ops.waitForJob(clientId, (await ops.plan(ref)).id);
  expect(plan.state, plan.error).toBe('succeeded');
  const applied = await ops.waitForJob(clientId, (await ops.apply(ref, plan.id)).id);
  expect(applied.state, applied.error).toBe('succeeded');
}

/**
 * Runs a started drift loop (one plan per service at once) until `enough`, with `beforePlan` awaited ahead of
 * each of its plans (to time them, or slow one down).
 */
async function runLoop(
  options: { spread?: boolean; beforePlan: (ref: TargetRef) => void | Promise<void> },
  enough: () => boolean,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const engine = Object.create(h.engine, {
    plan: {
      value: async (ref: TargetRef, planOptions: object) => {
        await options.beforePlan(ref);
        return h.engine.plan(ref, planOptions);
      },
    },
  }) as typeof h.engine;
  const loop = createDriftLoop({
    engine,
    operations: ops,
    intervalMs: INTERVAL,
    concurrency: SERVICES.length,
    dockerHost: false,
    spread: options.spread ?? true,
  });
  loop.start();
  try {
    await waitFor(enough, what, timeoutMs);
  } finally {
    await loop.stop();
  }
}

/** When each drift plan of the first pass started, relative to the first one (ms). */
async function firstPassStarts(spread: boolean): Promise<number[]> {
  const starts: number[] = [];
  const beforePlan = () => void starts.push(Date.now());
  await runLoop(
    { spread, beforePlan },
    () => starts.length >= SERVICES.length,
    'a plan of each service',
    INTERVAL * 2,
  );
  return starts.slice(0, SERVICES.length).map((at) => at - starts[0]!);
}

describe('the periodic sweep', () => {
  it('spreads its plans over the interval', async () => {
    const starts = await firstPassStarts(true);
    const step = INTERVAL / SERVICES.length;
    process.stdout.write(`[drift] spread starts (ms): ${starts.join(', ')}\n`);
    starts.forEach((at, i) => {
      expect(at).toBeGreaterThanOrEqual(i * step - 50);
      expect(at).toBeLessThan(i * step + 900);
    });
  });

  it('starts them all at once when told not to spread', async () => {
    const starts = await firstPassStarts(false);
    process.stdout.write(`[drift] burst starts (ms): ${starts.join(', ')}\n`);
    expect(Math.max(...starts)).toBeLessThan(500);
  });
});

describe('the promise', () => {
  it('checks a service again one interval after its check started, even when the next pass found it running', async () => {
    // The last service of a spread pass starts 2/3 into the interval and, slowed here, is still planning when
    // the next pass comes: that pass cannot add it. It must not wait for the pass after (two intervals).
    const starts: number[] = [];
    const beforePlan = async (ref: TargetRef) => {
      if (ref.kind !== 'service' || ref.serviceId !== 's3') return;
      starts.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, INTERVAL / 3 + 300));
    };
    await runLoop({ beforePlan }, () => starts.length >= 2, 'two checks of s3', INTERVAL * 4);
    const gap = starts[1]! - starts[0]!;
    process.stdout.write(`[drift] s3 checked again after ${gap} ms (interval ${INTERVAL} ms)\n`);
    expect(gap).toBeGreaterThanOrEqual(INTERVAL - 50);
    expect(gap).toBeLessThan(INTERVAL + 900);
  });
});

describe('a drift check', () => {
  it("reads a state another tofu holds locked, and leaves that tofu's lock alone", async () => {
    // A drift plan saves nothing and SpawnIt already keeps its runs of a service apart: it takes no S3 lock
    // (three requests fewer per check), so a run outside SpawnIt holding the state does not make it fail.
    const lockKey = 'clients/spread/services/s1/terraform.tfstate.tflock';
    const lock = JSON.stringify({
      ID: 'held-by-someone',
      Operation: 'OperationTypeApply',
      Who: 'ops@elsewhere',
    });
    await h.engine.store.put(lockKey, Buffer.from(lock));
    try {
      const loop = createDriftLoop({ engine: h.engine, operations: ops, dockerHost: false, concurrency: 1 });
      await loop.runOnce();
      expect(loop.stats.planned).toBe(SERVICES.length);
      const status = await ops.serviceStatus(clientId, 's1');
      expect(status, 'the drift check recorded a status').toBeDefined();
      expect(status!.error).toBeUndefined();
      expect(status!.status).toBe('compliant');
      expect((await h.engine.store.get(lockKey))?.body.toString()).toBe(lock);
    } finally {
      await h.engine.store.deleteKeys([lockKey]);
    }
  });
});
