import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './hcl.js';
import { findShellcheck } from './tools.js';

/** Shell scripts of the repository: `*.sh` files and files starting with a sh/bash shebang. */
function shellScripts(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === '.git' || name === '.terraform') continue;
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith('.sh') || /^#!.*\b(ba)?sh\b/.test(readFileSync(file, 'utf8').slice(0, 80)))
        found.push(file);
    }
  };
  walk(repoRoot);
  return found.map((file) => path.relative(repoRoot, file)).sort();
}

describe('shell scripts', () => {
  const scripts = shellScripts();

  it('include the bootstrap and CI scripts', () => {
    expect(scripts).toEqual(expect.arrayContaining(['bootstrap/all-deploy.sh', '.ci/run']));
  });

  it.each(scripts)('%s passes shellcheck', (script) => {
    const shellcheck = findShellcheck();
    const result = spawnSync(shellcheck, ['--external-sources', '--format=gcc', script], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(result.error, 'shellcheck did not run').toBeUndefined();
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});
