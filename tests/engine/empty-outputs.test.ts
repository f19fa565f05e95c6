import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineHarness, startEngine } from '../support/engine.js';
import { FIXTURE_CATALOG } from '../support/paths.js';

let h: EngineHarness;
let catalogDir: string;
beforeAll(async () => {
  // The fixture catalog plus one template that exports nothing, as a user may well write one.
  catalogDir = await mkdtemp(path.join(tmpdir(), 'spawnit-catalog-'));
  await cp(FIXTURE_CATALOG, catalogDir, { recursive: true });
  const echo = JSON.parse(await readFile(path.join(catalogDir, 'templates/echo.json'), 'utf8'));
  await writeFile(
    path.join(catalogDir, 'templates/silent.json'),
    JSON.stringify({ ...echo, id: 'silent', name: 'Silent', outputs: [] }),
  );
  await writeFile(
    path.join(catalogDir, 'catalog.json'),
    JSON.stringify({ templates: ['templates/echo.json', 'templates/silent.json'] }),
  );
  h = await startEngine({ catalogDir });
});
afterAll(async () => {
  await h?.close();
  await rm(catalogDir, { recursive: true, force: true });
});

describe('a template with "outputs": []', () => {
  it('plans, applies and reads no outputs', async () => {
    const ref = { clientId: 'alice', serviceId: 'quiet' };
    await h.engine.createService({
      ...ref,
      templateId: 'silent',
      provider: 'local',
      networkName: 'default',
      params: { message: 'shh' },
    });
    const plan = await h.engine.plan(ref);
    expect(plan.error).toBeUndefined();
    expect(plan.status).toBe('drifted');
    const applied = await h.engine.apply(ref, plan.planId);
    expect(applied.summary?.add).toBeGreaterThan(0);
    expect(await h.engine.outputs(ref)).toEqual([]);
    expect((await h.engine.plan(ref)).status).toBe('compliant');
  });
});
