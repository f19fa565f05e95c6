import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EngineHarness, startEngine } from '../support/engine.js';

let h: EngineHarness;
beforeAll(async () => {
  // Cloud credentials for the providers (e.g. AWS EC2 services) must not be taken for the state store's.
  h = await startEngine({
    providerEnv: { AWS_ACCESS_KEY_ID: 'AKIAPROVIDERONLY', AWS_SECRET_ACCESS_KEY: 'not-the-store-secret' },
  });
});
afterAll(async () => {
  await h?.close();
});

it('reaches the state store with its own credentials even when provider credentials are in the environment', async () => {
  const ref = { clientId: 'dora', serviceId: 'creds' };
  await h.engine.createService({
    ...ref,
    templateId: 'echo',
    provider: 'local',
    networkName: 'default',
    params: { message: 'x' },
  });
  const plan = await h.engine.plan(ref);
  expect(plan.status, plan.error).toBe('drifted');
  await h.engine.apply(ref, plan.planId);
  expect(await h.engine.isDeployed(ref)).toBe(true);
});
