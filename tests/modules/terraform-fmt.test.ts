import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './hcl.js';
import { findTofu } from './tools.js';

describe('terraform fmt', () => {
  it('finds nothing to reformat in modules/ and bootstrap/', () => {
    const tofu = findTofu();
    const result = spawnSync(tofu, ['fmt', '-check', '-recursive', '-diff', 'modules', 'bootstrap'], {
      cwd: repoRoot,
      encoding: 'utf8',
      // A missing CLI config file only makes terraform warn.
      env: { ...process.env, TF_IN_AUTOMATION: '1' },
    });
    expect(result.error, `${tofu} did not run`).toBeUndefined();
    expect(result.status, `${result.stdout}\nRun: ${tofu} fmt -recursive modules bootstrap`).toBe(0);
  });
});
