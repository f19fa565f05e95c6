import { describe, expect, it } from 'vitest';
import { summarizePlan } from './plan-summary.js';

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
    expect(summarizePlan(JSON.stringify(show))).toEqual({
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
});
