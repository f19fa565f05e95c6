import { describe, expect, it } from 'vitest';
import { TargetSlots } from './target-lock.js';

describe('TargetSlots', () => {
  it('lets one run hold a target, and the others in order of arrival', async () => {
    const slots = new TargetSlots();
    const order: string[] = [];
    const release1 = await slots.acquire('t');
    const second = slots.acquire('t').then((release) => {
      order.push('second');
      return release;
    });
    const third = slots.acquire('t').then((release) => {
      order.push('third');
      release();
    });
    const other = await slots.acquire('other');
    expect(slots.queueLength('t')).toBe(2);
    release1();
    (await second)();
    await third;
    other();
    expect(order).toEqual(['second', 'third']);
    expect(slots.isBusy('t')).toBe(false);
  });

  it('interrupts a pre-emptible holder when a run asks for its target', async () => {
    const slots = new TargetSlots();
    let preempted = 0;
    const drift = slots.tryAcquirePreemptible('t', () => preempted++);
    expect(drift).toBeDefined();
    expect(slots.tryAcquirePreemptible('t', () => undefined)).toBeUndefined();
    const user = slots.acquire('t');
    expect(preempted).toBe(1);
    drift!();
    (await user)();
  });

  it('drops a waiter whose signal aborts', async () => {
    const slots = new TargetSlots();
    const release = await slots.acquire('t');
    const controller = new AbortController();
    const waiting = slots.acquire('t', controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(slots.queueLength('t')).toBe(0);
    release();
    expect(slots.isBusy('t')).toBe(false);
  });
});
