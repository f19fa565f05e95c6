import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogDir, loadCached, modulesDir, networkTemplates, readCatalog, templates } from './repo.js';
import { checkTemplateAgainstModule, PROVIDERS, validateTemplate } from './template-rules.js';

const { listed, entries, networks } = readCatalog();

describe('catalog/', () => {
  it('lists every template file once, and nothing else', () => {
    const files = readdirSync(path.join(catalogDir, 'templates'))
      .filter((name) => name.endsWith('.json'))
      .map((name) => `templates/${name}`)
      .sort();
    expect([...listed].sort()).toEqual(files);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it.each(entries.map((e) => [e.file, e.json] as const))('%s is a valid template', (file, json) => {
    expect(validateTemplate(`catalog/${file}`, json)).toEqual([]);
    const id = (json as { id?: string }).id;
    expect(file, 'the file is named after the template id').toBe(`templates/${id}.json`);
  });

  it('has unique ids, and at least 8 local and 3 AWS services', () => {
    const all = templates();
    expect(new Set(all.map((t) => t.id)).size).toBe(all.length);
    expect(all.filter((t) => t.modules.local).length).toBeGreaterThanOrEqual(8);
    expect(all.filter((t) => t.modules.aws).length).toBeGreaterThanOrEqual(3);
  });

  it.each(templates().map((t) => [t.id, t] as const))('%s has an icon in catalog/icons', (_id, template) => {
    expect(
      existsSync(path.join(catalogDir, 'icons', `${template.icon}.svg`)),
      `catalog/icons/${template.icon}.svg`,
    ).toBe(true);
  });

  it('gives every secret parameter a generator or makes the user type it, so a one-click deploy works', () => {
    const problems = templates().flatMap((t) =>
      t.parameters
        .filter((p) => p.secret && !p.generate && !p.required)
        .map((p) => `${t.id}: secret "${p.name}" has neither generate nor required`),
    );
    expect(problems).toEqual([]);
  });

  const pairs = templates().flatMap((t) =>
    PROVIDERS.filter((provider) => t.modules[provider]).map((provider) => [t.id, provider, t] as const),
  );

  it.each(pairs)('%s (%s) fits its module', async (_id, provider, template) => {
    const modulePath = template.modules[provider] as string;
    const dir = path.join(modulesDir, modulePath);
    expect(existsSync(dir), `modules/${modulePath} exists`).toBe(true);
    const m = await loadCached(dir);
    expect(checkTemplateAgainstModule(template, provider, m)).toEqual([]);
  });
});

describe('catalog/ network templates', () => {
  it('describes the parameters of both network modules', () => {
    expect(networks.map((n) => n.provider).sort()).toEqual(['aws', 'local']);
  });

  it.each(networks.map((n) => [n.file, n] as const))(
    '%s is a valid template for its provider only',
    (file, entry) => {
      expect(validateTemplate(`catalog/${file}`, entry.json)).toEqual([]);
      const template = entry.json as { modules: Record<string, string>; icon: string };
      expect(template.modules).toEqual({ [entry.provider]: `network/${entry.provider}` });
      expect(existsSync(path.join(catalogDir, 'icons', `${template.icon}.svg`))).toBe(true);
    },
  );

  it.each(networkTemplates().map((n) => [n.provider, n] as const))(
    'the %s network template fits its module (outputs aside: the engine re-exports the whole module)',
    async (provider, { template }) => {
      const m = await loadCached(path.join(modulesDir, `network/${provider}`));
      expect(checkTemplateAgainstModule(template, provider, m)).toEqual([]);
    },
  );

  it('offers the AWS services the regions of the AWS network, with the same default', () => {
    const network = networkTemplates().find((n) => n.provider === 'aws')?.template;
    const region = network?.parameters.find((p) => p.name === 'region');
    for (const t of templates().filter((t) => t.modules.aws)) {
      const own = t.parameters.find((p) => p.name === 'region');
      expect(own?.enum, `${t.id}: region`).toEqual(region?.enum);
      expect(own?.default, `${t.id}: region default`).toBe(region?.default);
    }
  });
});
