import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModule } from './hcl.js';
import { BEGIN, END, formatMarkdown, renderModuleDocs, updateReadme } from './module-docs.js';
import { listModules, loadCached, modulesDir, networkTemplates, templates } from './repo.js';

describe('module READMEs', () => {
  it.each(listModules())('modules/%s/README.md is up to date', async (dir) => {
    const file = path.join(modulesDir, dir, 'README.md');
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const generated = renderModuleDocs(await loadCached(path.join(modulesDir, dir)), dir, [
      ...templates(),
      ...networkTemplates().map((n) => n.template),
    ]);
    const expected = formatMarkdown(updateReadme(current, generated, ''));
    expect(
      current === expected,
      `modules/${dir}/README.md is stale or missing: run pnpm gen:module-docs`,
    ).toBe(true);
  });
});

describe('renderModuleDocs', () => {
  it('lists inputs, params attributes with their descriptions, and outputs', async () => {
    const m = await parseModule('fixture', {
      'variables.tf': `
variable "params" {
  description = "Form values."
  type = object({
    port = optional(number, 5432) # Port on the host.
    name = string
  })
}`,
      'outputs.tf': 'output "url" {\n  description = "Where | to go."\n  value = "x"\n  sensitive = true\n}',
      'versions.tf': 'terraform {\n  required_version = ">= 1.9"\n}',
    });
    const docs = renderModuleDocs(m, 'services/x/local', []);
    expect(docs.startsWith(BEGIN) && docs.endsWith(END)).toBe(true);
    expect(docs).toContain('| `params` | Form values. | `object(...)` | n/a | yes |');
    expect(docs).toContain('| `port` | `number` | `5432` | no | Port on the host. |');
    expect(docs).toContain('| `url` | Where \\| to go. | yes |');
  });

  it('replaces only the generated block', () => {
    const readme = `# Title\n\nWritten by hand.\n\n${BEGIN}\nold\n${END}\n\nAfter.\n`;
    expect(updateReadme(readme, `${BEGIN}\nnew\n${END}`, 'unused')).toBe(
      `# Title\n\nWritten by hand.\n\n${BEGIN}\nnew\n${END}\n\nAfter.\n`,
    );
    expect(updateReadme(undefined, `${BEGIN}\nnew\n${END}`, 'modules/x')).toBe(
      `# modules/x\n\n${BEGIN}\nnew\n${END}\n`,
    );
  });
});
