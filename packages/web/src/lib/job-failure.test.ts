import { describe, expect, it } from 'vitest';
import { describeNextStep, mayHaveChanged, newestFailure } from './job-failure';

describe('describeNextStep', () => {
  it('retries a failed plan with a new plan, and says nothing was changed', () => {
    expect(
      describeNextStep({ kind: 'PLAN', destroy: false, targetKind: 'SERVICE', changing: false }),
    ).toEqual({
      advice:
        'Nothing was changed. Fix what the message says (often a setting of the service), then plan again.',
      retry: 'plan',
      retryLabel: 'Plan again',
    });
  });

  it('retries a failed apply with a fresh plan: its saved plan is spent', () => {
    const next = describeNextStep({ kind: 'APPLY', destroy: false, targetKind: 'NETWORK', changing: true });
    expect(next).toEqual({
      advice:
        'Part of the apply may have run: the state keeps what was done. Fix what the message says, then plan again to see what is left and apply it.',
      retry: 'plan',
      retryLabel: 'Plan again',
    });
    // Failed before tofu changed anything (its working directory, a stale plan): nothing ran.
    expect(
      describeNextStep({ kind: 'APPLY', destroy: false, targetKind: 'NETWORK', changing: false }).advice,
    ).toMatch(/^Nothing was changed\. /);
  });

  it('retries a failed destroy, or the plan of one, as a destroy', () => {
    expect(
      describeNextStep({ kind: 'DESTROY', destroy: true, targetKind: 'SERVICE', changing: true }),
    ).toEqual({
      advice:
        'Part of the destroy may have run: the state keeps what was removed. Fix what the message says, then destroy again to remove the rest.',
      retry: 'destroy',
      retryLabel: 'Destroy again',
    });
    // Its plan failed: nothing was removed.
    expect(
      describeNextStep({ kind: 'DESTROY', destroy: true, targetKind: 'SERVICE', changing: false }).advice,
    ).toBe('Nothing was changed. Fix what the message says, then destroy again.');
    expect(
      describeNextStep({ kind: 'PLAN', destroy: true, targetKind: 'SERVICE', changing: false }).retry,
    ).toBe('destroy');
  });
});

describe('newestFailure', () => {
  it('is the newest job when it failed or was interrupted, never an older one', () => {
    const failed = { id: 'b', state: 'FAILED' as const, error: 'The plan failed: x.' };
    expect(newestFailure([failed, { id: 'a', state: 'SUCCEEDED' as const, error: null }])).toBe(failed);
    expect(newestFailure([{ id: 'c', state: 'SUCCEEDED' as const, error: null }, failed])).toBeUndefined();
    expect(newestFailure([{ id: 'd', state: 'CANCELLED' as const, error: 'Cancelled.' }])).toBeUndefined();
    expect(newestFailure([])).toBeUndefined();
  });
});

describe('mayHaveChanged', () => {
  it('is true once tofu reported progress, or when SpawnIt stopped mid-run; never for a plan', () => {
    const progress = { done: 0, total: 1, failed: 1 };
    expect(mayHaveChanged({ kind: 'APPLY', state: 'FAILED', progress })).toBe(true);
    expect(mayHaveChanged({ kind: 'APPLY', state: 'FAILED', progress: null })).toBe(false);
    expect(mayHaveChanged({ kind: 'DESTROY', state: 'INTERRUPTED', progress: null })).toBe(true);
    expect(mayHaveChanged({ kind: 'PLAN', state: 'INTERRUPTED', progress: null })).toBe(false);
  });
});
