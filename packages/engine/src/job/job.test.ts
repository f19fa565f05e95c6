import { describe, expect, it } from 'vitest';
import { InvalidTransitionError, type JobState, newJob, transition } from './job.js';

const job = () =>
  newJob({
    id: 'j1',
    kind: 'plan',
    trigger: 'user',
    target: { kind: 'service', clientId: 'a', serviceId: 'web' },
  });

describe('job state machine', () => {
  it('moves queued -> running -> succeeded, stamping the times', () => {
    const running = transition(job(), 'running');
    expect(running.startedAt).toBeDefined();
    expect(running.finishedAt).toBeUndefined();
    const done = transition(running, 'succeeded', { planStatus: 'drifted' });
    expect(done).toMatchObject({ state: 'succeeded', planStatus: 'drifted', startedAt: running.startedAt });
    expect(done.finishedAt).toBeDefined();
  });

  it.each<[JobState[], JobState]>([
    [['running', 'succeeded'], 'running'],
    [['running', 'failed'], 'succeeded'],
    [['cancelled'], 'running'],
    [['interrupted'], 'failed'],
    [[], 'succeeded'],
  ])('after %j refuses %s with a typed error', (path, to) => {
    const moved = path.reduce((j, state) => transition(j, state), job());
    expect(() => transition(moved, to)).toThrow(InvalidTransitionError);
    expect(() => transition(moved, to)).toThrow(`Job j1 is ${moved.state} and cannot become ${to}.`);
  });
});
