import { once } from 'node:events';
import { hostname } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  acquireInstanceLease,
  ConflictError,
  INSTANCE_LEASE_KEY,
  type InstanceLease,
  type InstanceLeaseOptions,
  type LeaseHolder,
  probeConditionalWrites,
  type S3Store,
} from '@spawnit/engine';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestS3Kind } from '../support/engine.js';
import { waitFor } from '../support/gate.js';
import { REPO_ROOT } from '../support/paths.js';
import type { TestS3Server } from '../support/s3-server.js';

// One SpawnIt per bucket without a database: the lease that says which, on our S3 server and on versitygw.
// Short times, so a case waits a second at most: the protocol is the same at the product's 30 s.
const TTL_MS = 600;
const fast = { ttlMs: TTL_MS, renewMs: 150, pollMs: 50 };

describe.each<TestS3Kind>(['embedded', 'versitygw'])('the instance lease on %s', (kind) => {
  let server: TestS3Server;
  let store: S3Store;
  let conditionalWrites: boolean;
  const held: InstanceLease[] = [];

  beforeAll(async () => {
    ({ server, store } = await startTestStore(kind));
    conditionalWrites = await probeConditionalWrites(store);
  });
  afterEach(async () => {
    for (const lease of held.splice(0)) await lease.release();
    await store.deleteKeys([INSTANCE_LEASE_KEY]);
  });
  afterAll(async () => {
    store?.client.destroy();
    await server?.stop();
  });

  async function acquire(options: Partial<InstanceLeaseOptions> = {}) {
    const lease = await acquireInstanceLease({
      store,
      conditionalWrites,
      onLost: () => {
        throw new Error('lost a lease nobody took');
      },
      ...fast,
      ...options,
    });
    held.push(lease);
    return lease;
  }
  /** A holder of the lease in a process of its own, as a SpawnIt already running (fixtures/lease-holder.ts). */
  const startHolder = (options: { runEveryMs?: number } = {}) =>
    execa(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(REPO_ROOT, 'tests/engine/fixtures/lease-holder.ts'),
        JSON.stringify({ store: store.options, conditionalWrites, ...fast, ...options }),
      ],
      { cwd: path.join(REPO_ROOT, 'tests'), reject: false },
    );
  const stored = async () => {
    const object = await store.get(INSTANCE_LEASE_KEY);
    return object && { ...(JSON.parse(object.body.toString()) as LeaseHolder), etag: object.etag };
  };
  const leftBy = (holder: Partial<LeaseHolder>) =>
    store.putJson(INSTANCE_LEASE_KEY, {
      id: 'left-behind',
      startedAt: '2026-11-30T08:00:00.000Z',
      renewedAt: '2026-11-30T08:00:00.000Z',
      ...holder,
    });

  it('takes a free bucket for this process, renews its lease, and deletes it at release', async () => {
    const waits: LeaseHolder[] = [];
    const lease = await acquire({ onWait: (holder) => waits.push(holder) });
    expect(waits).toEqual([]);
    const first = await stored();
    expect(first).toMatchObject({ id: lease.holder.id, host: hostname(), pid: process.pid });
    // Renewed: the object changes while the process runs.
    await waitFor(async () => (await stored())?.renewedAt !== first?.renewedAt, 'a renewal');
    expect((await stored())?.id).toBe(lease.holder.id);
    await lease.release();
    expect(await store.get(INSTANCE_LEASE_KEY)).toBeUndefined();
  });

  it('refuses a second process while the first one renews, naming the first and what to do', async () => {
    // The first in a process of its own, as a SpawnIt already running.
    const first = startHolder();
    try {
      const [line] = (await once(createInterface({ input: first.stdout! }), 'line')) as [string];
      const firstId = line.replace(/^HELD /, '');
      const { startedAt } = (await stored())!;
      const waits: LeaseHolder[] = [];
      const error = await acquire({ onWait: (holder) => waits.push(holder) }).catch((e) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.message).toBe(
        `Another SpawnIt runs on bucket "spawnit" at ${server.endpoint} without a database (pid ${first.pid} on host "${hostname()}", started at ${startedAt}): two would plan from each other's stale configurations and interrupt each other's jobs. Stop it first, or give every process the same SPAWNIT_DATABASE_URL to run several.`,
      );
      // It watched the lease before deciding, and left it to its holder.
      expect(waits.map((holder) => holder.id)).toEqual([firstId]);
      expect((await stored())?.id).toBe(firstId);
    } finally {
      first.kill('SIGTERM');
      await first;
    }
    // Stopped, the first gave the bucket back.
    expect(await store.get(INSTANCE_LEASE_KEY)).toBeUndefined();
  });

  it('takes a lease left on another host once it has not changed for its time to live', async () => {
    await leftBy({ host: 'another-machine', pid: 4242 });
    const waits: LeaseHolder[] = [];
    const lease = await acquire({ onWait: (holder) => waits.push(holder) });
    expect(waits).toEqual([
      expect.objectContaining({ id: 'left-behind', host: 'another-machine', pid: 4242 }),
    ]);
    expect((await stored())?.id).toBe(lease.holder.id);
  });

  it('takes at once a lease left by a process of this host that is gone (a crash, a kill -9)', async () => {
    const gone = await execa('sh', ['-c', 'echo $$']);
    const pid = Number(gone.stdout);
    await leftBy({ host: hostname(), pid });
    const waits: LeaseHolder[] = [];
    const lease = await acquire({ onWait: (holder) => waits.push(holder) });
    expect(waits).toEqual([]);
    expect((await stored())?.id).toBe(lease.holder.id);
  });

  it('takes at once a lease of this host with its own pid: an earlier run of this process (a container restarted)', async () => {
    await leftBy({ host: hostname(), pid: process.pid });
    const waits: LeaseHolder[] = [];
    const lease = await acquire({ onWait: (holder) => waits.push(holder) });
    expect(waits).toEqual([]);
    expect((await stored())?.id).toBe(lease.holder.id);
  });

  it('replaces a lease object that is not one', async () => {
    await store.put(INSTANCE_LEASE_KEY, 'not json');
    const lease = await acquire();
    expect((await stored())?.id).toBe(lease.holder.id);
  });

  it('a holder frozen past its time to live runs nothing once it resumes: another took the lease meanwhile', async () => {
    const holder = startHolder({ runEveryMs: 40 });
    const lines: string[] = [];
    createInterface({ input: holder.stdout! }).on('line', (line) => lines.push(line));
    const ran = () => lines.filter((line) => line === 'RAN').length;
    try {
      await waitFor(() => ran() > 2, 'the holder running');
      // Frozen (a paused VM, SIGSTOP): it cannot renew, and says nothing more once the pipe is drained.
      holder.kill('SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const ranBefore = ran();
      // This process takes the bucket once the frozen holder's lease has not changed for its time to live.
      const successor = await acquire();
      holder.kill('SIGCONT');
      await waitFor(() => lines.some((line) => line.startsWith('REFUSED')), 'a run refused after the resume');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Not one run after the resume: each confirmed the lease first, and found it taken.
      expect(ran()).toBe(ranBefore);
      expect(lines.filter((line) => line.startsWith('REFUSED'))[0]).toBe(
        `REFUSED Another SpawnIt (pid ${process.pid} on host "${hostname()}", started at ${successor.holder.startedAt}) took bucket "spawnit" after this process could not renew its lease in time: this process stops, and runs nothing more.`,
      );
      expect(lines).toContain('LOST');
      expect((await stored())?.id).toBe(successor.holder.id);
    } finally {
      holder.kill('SIGKILL');
      await holder;
    }
  });

  it.each([true, false])(
    'a process whose lease another took is told once, and leaves that lease in place (conditional writes: %s)',
    async (conditional) => {
      if (conditional && !conditionalWrites) {
        throw new Error(`${kind} does not honour conditional writes: the engine would not either`);
      }
      const lost: (LeaseHolder | undefined)[] = [];
      const lease = await acquire({ conditionalWrites: conditional, onLost: (holder) => lost.push(holder) });
      // As a second start does once this one has not renewed in time (frozen, S3 away).
      await leftBy({ id: 'the-other', host: 'another-machine', pid: 7 });
      await waitFor(() => lost.length > 0, 'the loss to be reported');
      expect(lost).toEqual([expect.objectContaining({ id: 'the-other', host: 'another-machine' })]);
      // No more renewals: the other keeps it, and a release does not delete it.
      await new Promise((resolve) => setTimeout(resolve, fast.renewMs * 3));
      await lease.release();
      expect(lost).toHaveLength(1);
      expect((await stored())?.id).toBe('the-other');
    },
  );
});
