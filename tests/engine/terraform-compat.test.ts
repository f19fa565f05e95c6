import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineHarness, startEngine } from '../support/engine.js';

// OpenTofu is the binary the tests run (SPAWNIT_TOFU_BIN, from scripts/stack/); Terraform stays supported, so
// the core flow runs on it too: the machines this project runs on have `terraform` on PATH (its licence is not
// open, so the tests do not install it). Where it is missing, this fails, saying so, rather than skipping.
describe('the core flow on Terraform', () => {
  let h: EngineHarness;
  beforeAll(async () => {
    if (spawnSync('terraform', ['version'], { stdio: 'ignore' }).status !== 0) {
      throw new Error(
        'The core flow on Terraform needs `terraform` (>= 1.10) on PATH, and `terraform version` did not run: install Terraform, or put it on PATH.',
      );
    }
    h = await startEngine({ tofuBin: 'terraform' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('plans, applies, plans compliant and destroys', async () => {
    expect(h.engine.tofu.name).toBe('terraform');
    const ref = { clientId: 'alice', serviceId: 'web' };
    await h.engine.createService({
      ...ref,
      templateId: 'echo',
      provider: 'local',
      networkName: 'default',
      params: { message: 'on terraform' },
    });
    const plan = await h.engine.plan(ref);
    expect(plan).toMatchObject({ status: 'drifted', summary: { add: 1, change: 0, destroy: 0 } });
    await h.engine.apply(ref, plan.planId);
    expect(await h.engine.isDeployed(ref)).toBe(true);
    expect((await h.engine.plan(ref)).status).toBe('compliant');
    const destroyed = await h.engine.destroy(ref);
    expect(destroyed.applied?.summary.destroy).toBe(1);
    expect(await h.engine.isDeployed(ref)).toBe(false);
  });
});

describe('the binary the tests run', () => {
  it('is OpenTofu, built by scripts/stack/', async () => {
    const h = await startEngine();
    try {
      expect(h.engine.tofu.name).toBe('tofu');
      expect(h.engine.tofu.path).toBe(process.env.SPAWNIT_TOFU_BIN);
    } finally {
      await h.close();
    }
  });
});
