import { describe, expect, it } from 'vitest';
import { endAtExpiry, expiredResult } from './use-subscription-guard.js';

async function* ticks(count: number) {
  for (let n = 0; n < count; n++) yield { data: { n } };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe('endAtExpiry', () => {
  it('passes every event on while the token holds, and ends with its source', async () => {
    let ended = 0;
    const results = await collect(endAtExpiry(ticks(3), new Date(Date.now() + 60_000), () => ended++));
    expect(results).toEqual([{ data: { n: 0 } }, { data: { n: 1 } }, { data: { n: 2 } }]);
    expect(ended).toBe(1);
  });

  it('checks each event: one that comes after expiry, before the timer fired, is never sent', async () => {
    let ended = 0;
    const expiresAt = new Date(Date.now() + 5);
    // An event that is ready only once the token has expired, while a busy event loop kept the timer from firing.
    let sent = 0;
    const late: AsyncIterable<{ data: unknown }> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          while (Date.now() <= expiresAt.getTime() + 10) {
            // Busy: no timer runs meanwhile.
          }
          sent += 1;
          return Promise.resolve(
            sent > 2
              ? { done: true, value: undefined }
              : { done: false, value: { data: { secret: 'after expiry' } } },
          );
        },
        return: async () => ({ done: true, value: undefined }),
      }),
    };
    const results = await collect(endAtExpiry(late, expiresAt, () => ended++));
    expect(results).toEqual([expiredResult()]);
    expect(JSON.parse(JSON.stringify(results[0]))).toEqual({
      errors: [{ message: 'Your sign-in expired: sign in again.', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(ended).toBe(1);
  });

  it('ends a quiet subscription at expiry, by its timer', async () => {
    let ended = 0;
    const quiet: AsyncIterable<never> = {
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise(() => {}),
        return: async () => ({ done: true, value: undefined }),
      }),
    };
    const started = Date.now();
    const results = await collect(endAtExpiry(quiet, new Date(Date.now() + 200), () => ended++));
    expect(results).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(ended).toBe(1);
  });
});
