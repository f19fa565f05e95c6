import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineHarness, startEngine } from '../support/engine.js';
import { realEngineOptions } from '../support/real-stack.js';

// Every local template of the shipped catalog, planned by the real engine against the real docker provider and
// dockerd with its defaults (what one click saves). A template whose module needs a provider that is not built
// here must fail with the sentence that names it, nothing else.
const NOT_IN_MIRROR: Record<string, string> = { gitea: 'hashicorp/random' };

const clientId = 'catalog-plan';
const network = { kind: 'network', clientId, provider: 'local', networkName: 'catalog' } as const;
let h: EngineHarness;

beforeAll(async () => {
  h = await startEngine(realEngineOptions());
  await h.engine.createNetwork({ clientId, provider: 'local', networkName: 'catalog' });
  const plan = await h.engine.plan(network);
  expect(plan.status, plan.error).toBe('drifted');
  await h.engine.apply(network, plan.planId);
}, 300_000);

afterAll(async () => {
  if (h && (await h.engine.isDeployed(network))) await h.engine.destroy(network);
  await h?.close();
}, 300_000);

const local = () => h.engine.catalog.templates.filter((t) => t.modules.local);

describe('every local template, planned for real', () => {
  it('covers the whole local catalog', () => {
    expect(local().length).toBeGreaterThanOrEqual(8);
  });

  it.each(['postgresql', 'mariadb', 'redis', 'mongodb', 'minecraft', 'gitea', 'jenkins', 'uptime-kuma'])(
    '%s: its defaults plan against the real provider',
    async (templateId) => {
      const template = h.engine.catalog.get(templateId);
      expect(template?.modules.local, `${templateId} has a local module`).toBeTruthy();
      // The only field a user must fill is an explicit consent (Minecraft's EULA).
      const consent = Object.fromEntries(
        template!.parameters
          .filter((p) => p.required && p.default === undefined && p.type === 'boolean')
          .map((p) => [p.name, true]),
      );
      await h.engine.createService({
        clientId,
        serviceId: templateId,
        templateId,
        provider: 'local',
        networkName: 'catalog',
        params: consent,
      });
      const plan = await h.engine.plan({ clientId, serviceId: templateId });
      const missing = NOT_IN_MIRROR[templateId];
      if (missing) {
        expect(plan.status).toBe('error');
        expect(plan.error).toContain(`The provider ${missing} is not in the provider mirror`);
        return;
      }
      expect(plan.status, plan.error).toBe('drifted');
      expect(plan.summary?.destroy).toBe(0);
      const created = plan.summary?.resources
        .filter((r) => r.actions.includes('create'))
        .map((r) => r.address);
      expect(created).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/docker_container\.this\[/),
          expect.stringMatching(/docker_image\.this\[/),
          expect.stringMatching(/docker_volume\.this\[/),
        ]),
      );
    },
  );
});
