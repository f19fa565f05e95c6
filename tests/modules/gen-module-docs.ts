/**
 * Writes the generated block (requirements, inputs, outputs) of every module README under modules/.
 * Run it with `pnpm gen:module-docs` after changing a module's variables or outputs; the text outside the
 * markers is left as written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatMarkdown, renderModuleDocs, updateReadme } from './module-docs.js';
import { listModules, loadCached, modulesDir, networkTemplates, templates } from './repo.js';

/** Brings every README up to date; returns the ones it changed, relative to the repository root. */
export async function generateModuleDocs(): Promise<string[]> {
  const all = [...templates(), ...networkTemplates().map((n) => n.template)];
  const changed: string[] = [];
  for (const dir of listModules()) {
    const absolute = path.join(modulesDir, dir);
    const file = path.join(absolute, 'README.md');
    const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    const generated = renderModuleDocs(await loadCached(absolute), dir, all);
    const next = formatMarkdown(updateReadme(current, generated, `modules/${dir}`));
    if (next !== current) {
      writeFileSync(file, next);
      changed.push(path.join('modules', dir, 'README.md'));
    }
  }
  return changed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const changed = await generateModuleDocs();
  console.log(changed.length ? `Updated:\n  ${changed.join('\n  ')}` : 'Module READMEs are up to date.');
}
