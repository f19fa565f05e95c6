import type { TargetRef } from '@spawnit/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi } from '../support/api.js';
import { startGate, waitFor } from '../support/gate.js';

// `system { driftLag }`: null without a drift loop, 0 while every deployed service is checked within the
// interval, and growing when a check cannot start on time (here a drift plan held mid-run by a gate). In both
// modes: the one-process loop, and the workers' queued checks with the lag read from PostgreSQL.

const clientId = 'lagging';
const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
const service: TargetRef = { kind: 'service', clientId, serviceId: 'slow' };
const apis: ApiHarness[] = [];
afterAll(async () => {
  for (const api of apis) await api.close();
});

async function systemWarnings(api: ApiHarness): Promise<string[]> {
  const { body } = await api.gql<{ system: { warnings: string[] } }>(
    await api.token('alice'),
    '{ system { warnings } }',
  );
  expect(body.errors).toBeUndefined();
  return body.data!.system.warnings;
}

async function driftLag(api: ApiHarness): Promise<number | null> {
  const { body } = await api.gql<{ system: { driftLag: number | null } }>(
    await api.token('alice'),
    '{ system { driftLag } }',
  );
  expect(body.errors).toBeUndefined();
  return body.data!.system.driftLag;
}

async function deploy(api: ApiHarness, ref: TargetRef) {
  const ops = api.operations;
  const plan = await ops.waitForJob(clientId, (await ops.plan(ref)).id);
  expect(plan.state, plan.error).toBe('succeeded');
  if (!plan.planId) return;
  const applied = await ops.waitForJob(clientId, (await ops.apply(ref, plan.id)).id);
  expect(applied.state, applied.error).toBe('succeeded');
}

describe('system { driftLag }', () => {
  it('is null when no drift loop runs', async () => {
    const api = await startApi();
    apis.push(api);
    expect(await driftLag(api)).toBeNull();
  });

  it.each(['in-process', 'distributed'] as const)(
    '%s: is 0 on time, grows while a check outlasts the interval, and returns to 0 once it is done',
    async (mode) => {
      const INTERVAL = 2000;
      const api = await startApi({ driftIntervalMs: INTERVAL, mode });
      apis.push(api);
      const planned = () =>
        api.drift?.stats.planned ??
        (api.distributed?.workers ?? []).reduce((sum, { worker }) => sum + worker.driftStats.planned, 0);
      const { engine } = api.h;
      const gate = await startGate();
      gate.open();
      const held = await startGate();
      try {
        await engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
        await deploy(api, network);
        await engine.createService({
          clientId,
          serviceId: 'slow',
          templateId: 'echo',
          provider: 'local',
          networkName: 'default',
          params: { message: 'hi', gate_url: gate.url },
        });
        await deploy(api, service);
        await waitFor(() => planned() > 0, 'a drift plan of the deployed service');
        expect(await driftLag(api)).toBe(0);

        // From now on every drift plan of the service waits at the gate.
        await engine.updateService(service, { message: 'hi', gate_url: held.url });
        await held.nextRequest();
        const first = await waitFor(async () => {
          const lag = await driftLag(api);
          return lag !== null && lag > 0 ? lag : undefined;
        }, 'driftLag to rise above 0');
        await new Promise((resolve) => setTimeout(resolve, 500));
        const later = (await driftLag(api)) as number;
        expect(later).toBeGreaterThanOrEqual(first + 400);
        // A whole interval late: the notice every page shows says so, and what to do.
        const notice = await waitFor(async () => {
          const warnings = await systemWarnings(api);
          return warnings.find((w) => w.startsWith('Drift checks are '));
        }, 'the late-drift warning');
        expect(notice).toMatch(
          /^Drift checks are \d+ s late: a deployed service has waited more than twice the 2 s interval \(SPAWNIT_DRIFT_INTERVAL_MS\) for its check/,
        );

        held.open();
        await waitFor(async () => (await driftLag(api)) === 0, 'driftLag back to 0', 10_000);
        expect((await systemWarnings(api)).filter((w) => w.startsWith('Drift checks'))).toEqual([]);
      } finally {
        await held.close();
        await gate.close();
      }
    },
  );
});
