import { describe, expect, it } from 'vitest';
import { batchLines, JobLog, type LogLine } from './job-log.js';

async function take(iterable: AsyncIterable<LogLine>): Promise<number[]> {
  const out: number[] = [];
  for await (const line of iterable) out.push(line.n);
  return out;
}

describe('JobLog', () => {
  it('replays, then follows live lines with no gap and no duplicate, whatever the interleaving', async () => {
    for (let round = 0; round < 50; round++) {
      const log = new JobLog();
      for (let i = 0; i < round; i++) log.append(`early ${i}`);
      const follower = take(log.follow(0));
      // Lines written while the follower is still replaying.
      for (let i = 0; i < 20; i++) {
        log.append(`live ${i}`);
        if (i % 3 === 0) await Promise.resolve();
      }
      log.close();
      expect(await follower).toEqual(Array.from({ length: round + 20 }, (_, i) => i));
    }
  });

  it('starts from a line, and ends at once on a closed log', async () => {
    const log = new JobLog({ initial: ['a', 'b', 'c'], closed: true });
    expect(await take(log.follow(1))).toEqual([1, 2]);
    expect(await take(log.follow(10))).toEqual([]);
  });

  it('stops following when the signal aborts, and calls onLine for each line', async () => {
    const seen: string[] = [];
    const log = new JobLog({ onLine: (l) => seen.push(l.text) });
    const controller = new AbortController();
    const follower = take(log.follow(0, controller.signal));
    log.append('x');
    await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    expect(await follower).toEqual([0]);
    expect(seen).toEqual(['x']);
  });
});

describe('JobLog.followBatches', () => {
  it('gives the replay as one batch, then the lines of each wake together, never an empty one', async () => {
    const log = new JobLog({ initial: ['a', 'b'] });
    const batches = log.followBatches(1);
    expect((await batches.next()).value).toEqual([{ n: 1, text: 'b' }]);
    const next = batches.next();
    log.append('c');
    log.append('d');
    expect((await next).value).toEqual([
      { n: 2, text: 'c' },
      { n: 3, text: 'd' },
    ]);
    const end = batches.next();
    log.close();
    expect((await end).done).toBe(true);
  });

  it('replays a long log in slices of 1,000 lines, in order', async () => {
    const log = new JobLog({ initial: Array.from({ length: 2_500 }, (_, i) => `l${i}`), closed: true });
    const sizes: number[] = [];
    const seen: number[] = [];
    for await (const batch of log.followBatches(0)) {
      sizes.push(batch.length);
      seen.push(...batch.map((line) => line.n));
    }
    expect(sizes).toEqual([1_000, 1_000, 500]);
    expect(seen).toEqual(Array.from({ length: 2_500 }, (_, i) => i));
  });

  it('ends at an abort, with the lines written before it and none after', async () => {
    const log = new JobLog();
    const controller = new AbortController();
    const batches = log.followBatches(0, controller.signal);
    log.append('x');
    const first = await batches.next();
    expect(first.value).toEqual([{ n: 0, text: 'x' }]);
    const next = batches.next();
    log.append('y');
    controller.abort();
    log.append('z');
    expect((await next).value).toEqual([{ n: 1, text: 'y' }]);
    expect((await batches.next()).done).toBe(true);
  });
});

describe('batchLines', () => {
  it('sends each line at once to a consumer that keeps up', async () => {
    const log = new JobLog();
    const batches = batchLines(log.followBatches(0));
    log.append('a');
    expect((await batches.next()).value).toEqual([{ n: 0, text: 'a' }]);
    log.append('b');
    expect((await batches.next()).value).toEqual([{ n: 1, text: 'b' }]);
    log.close();
    expect((await batches.next()).done).toBe(true);
  });

  it('gathers what came while the consumer was busy, at most maxLines a batch, all once and in order', async () => {
    const log = new JobLog();
    const sizes: number[] = [];
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const batch of batchLines(log.followBatches(0), { maxLines: 300 })) {
        sizes.push(batch.length);
        seen.push(...batch.map((line) => line.n));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    for (let i = 0; i < 2_000; i++) {
      log.append(`line ${i}`);
      if (i % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    log.close();
    await consumer;
    expect(seen).toEqual(Array.from({ length: 2_000 }, (_, i) => i));
    expect(Math.max(...sizes)).toBe(300);
    expect(sizes.length).toBeLessThan(200);
  });
});
