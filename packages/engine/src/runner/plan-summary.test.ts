import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarizePlan, withoutAttributes } from './plan-summary.js';

describe('summarizePlan', () => {
  it('counts like tofu\'s "Plan: X to add, Y to change, Z to destroy", replacements on both sides', () => {
    const show = {
      resource_changes: [
        { address: 'a.new', change: { actions: ['create'] } },
        { address: 'a.same', change: { actions: ['no-op'] } },
        { address: 'data.x.read', change: { actions: ['read'] } },
        { address: 'a.edit', change: { actions: ['update'] } },
        { address: 'a.swap', change: { actions: ['delete', 'create'] } },
        { address: 'a.gone', change: { actions: ['delete'] } },
      ],
      resource_drift: [{ address: 'a.edit', change: { actions: ['update'] } }],
      output_changes: { url: { actions: ['update'] }, same: { actions: ['no-op'] } },
    };
    expect(summarizePlan(JSON.stringify(show), { maxDiffs: 0 })).toEqual({
      add: 2,
      change: 1,
      destroy: 2,
      resources: [
        { address: 'a.new', actions: ['create'] },
        { address: 'a.edit', actions: ['update'] },
        { address: 'a.swap', actions: ['delete', 'create'] },
        { address: 'a.gone', actions: ['delete'] },
      ],
      drift: [{ address: 'a.edit', actions: ['update'] }],
      outputs: [{ address: 'output.url', actions: ['update'] }],
    });
  });

  // OpenTofu 1.10's `show -json` of a plan that updates one resource (a message, and a sensitive password),
  // replaces a second, deletes a third, and changes a plain and a sensitive output.
  const updatePlan = readFileSync(new URL('./testdata/plan-update.json', import.meta.url), 'utf8');

  it('lists each attribute that changes, before -> after, and never a sensitive value', () => {
    const summary = summarizePlan(updatePlan, { secrets: ['hunter2', 'secret2'] });
    const attributes = (address: string) =>
      [...summary.resources, ...summary.outputs].find((r) => r.address === address)?.attributes;
    expect(attributes('terraform_data.app')).toEqual([
      { path: 'input.message', before: '"one"', after: '"two"' },
      { path: 'input.password', beforeSensitive: true, afterSensitive: true },
      // terraform_data's `output` is not marked sensitive, but holds the password: masked by value.
      { path: 'output', before: expect.stringContaining('(sensitive value)'), afterUnknown: true },
    ]);
    expect(attributes('terraform_data.dep')).toEqual([
      { path: 'id', before: expect.any(String), afterUnknown: true },
      { path: 'output', before: expect.any(String), afterUnknown: true },
      { path: 'triggers_replace', before: '"one"', after: '"two"', forcesReplacement: true },
    ]);
    expect(attributes('terraform_data.gone[0]')).toEqual([
      { path: 'id', before: expect.any(String) },
      { path: 'input', before: '"bye"' },
      { path: 'output', before: '"bye"' },
    ]);
    expect(attributes('output.msg')).toEqual([{ path: '', before: '"one"', after: '"two"' }]);
    expect(attributes('output.pw')).toEqual([{ path: '', beforeSensitive: true, afterSensitive: true }]);
    expect(JSON.stringify(summary)).not.toMatch(/hunter2|secret2/);
  });

  it('keeps only the actions past the limits', () => {
    const summary = summarizePlan(updatePlan, { maxDiffs: 1, maxAttributes: 1 });
    expect(summary.resources.map((r) => r.attributes?.length)).toEqual([1, undefined, undefined]);
  });

  it('leaves the values out of what is kept outside the job history', () => {
    const stripped = withoutAttributes(summarizePlan(updatePlan));
    expect(JSON.stringify(stripped)).not.toMatch(/"one"|attributes/);
    expect(stripped.resources.map((r) => r.address)).toEqual([
      'terraform_data.app',
      'terraform_data.dep',
      'terraform_data.gone[0]',
    ]);
  });
});
