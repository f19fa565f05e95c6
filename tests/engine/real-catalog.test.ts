import path from 'node:path';
import { loadCatalog, validateParams } from '@spawnit/engine';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

// The shipped catalog, read by the engine exactly as the API reads it.
const catalog = await loadCatalog({
  catalogDir: path.join(REPO_ROOT, 'catalog'),
  modulesDir: path.join(REPO_ROOT, 'modules'),
});

describe('the shipped catalog, through the engine', () => {
  it('loads every template with no problem', () => {
    expect(catalog.problems).toEqual([]);
    const local = catalog.templates.filter((t) => t.modules.local).map((t) => t.id);
    const aws = catalog.templates.filter((t) => t.modules.aws).map((t) => t.id);
    expect(local.length).toBeGreaterThanOrEqual(8);
    expect(aws.length).toBeGreaterThanOrEqual(3);
    expect(catalog.network('local')?.modules.local).toBe('network/local');
    expect(catalog.network('aws')?.modules.aws).toBe('network/aws');
  });

  it.each(
    catalog.templates.flatMap((t) => Object.keys(t.modules).map((provider) => [t.id, provider] as const)),
  )('%s on %s deploys in one click: the defaults validate, secrets are generated', (id, provider) => {
    const template = catalog.get(id)!;
    // The only field a user must fill is an explicit consent (Minecraft's EULA).
    const consent = Object.fromEntries(
      template.parameters
        .filter((p) => p.required && p.default === undefined && p.type === 'boolean')
        .map((p) => [p.name, true]),
    );
    const params = validateParams(template, consent, { provider: provider as 'local' | 'aws' });
    for (const p of template.parameters.filter((q) => q.secret && q.generate)) {
      expect(params[p.name], `${id}.${p.name}`).toMatch(new RegExp(`^.{${p.generate!.length}}$`));
    }
  });
});
