import { describe, expect, it } from 'vitest';
import { type JobRecord, newJob, transition } from '../job/job.js';
import type { TargetRef } from '../store/keys.js';
import type { IndexSnapshot } from './listing-index.js';
import { createMemoryIndex } from './memory-index.js';

const web: TargetRef = { kind: 'service', clientId: 'alice', serviceId: 'web' };
const db: TargetRef = { kind: 'service', clientId: 'alice', serviceId: 'db' };
const empty = (): IndexSnapshot => ({ services: [], networks: [], statuses: [], deployed: [], jobs: [] });

let clock = Date.parse('2026-01-01T00:00:00Z');
function job(target: TargetRef, kind: JobRecord['kind'] = 'plan', destroy = false): JobRecord {
  clock += 1000;
  return {
    ...newJob({ id: crypto.randomUUID(), kind, trigger: 'user', target, destroy }),
    createdAt: new Date(clock).toISOString(),
  };
}

describe('createMemoryIndex', () => {
  it('reads S3 once, on first use, and lists the newest jobs first, up to a limit', async () => {
    const old = Array.from({ length: 50 }, () => job(web));
    let loads = 0;
    const index = createMemoryIndex({
      load: async () => {
        loads += 1;
        // Out of order, as a listing gives them.
        return { ...empty(), jobs: [...old].reverse() };
      },
    });
    expect(loads).toBe(0);
    const fresh = job(db);
    await index.putJob(fresh);
    const listed = await index.listJobs('alice', { limit: 3 });
    expect(listed.map((j) => j.id)).toEqual([fresh.id, old[49]!.id, old[48]!.id]);
    expect((await index.listJobs('alice', { target: db })).map((j) => j.id)).toEqual([fresh.id]);
    expect(await index.listJobs('bob')).toEqual([]);
    expect(loads).toBe(1);
  });

  it('replays writes made during the scan over what the scan read', async () => {
    let finish!: (s: IndexSnapshot) => void;
    const index = createMemoryIndex({ load: () => new Promise((resolve) => (finish = resolve)) });
    const reading = index.clients();
    const entry = {
      clientId: 'alice',
      serviceId: 'web',
      templateId: 'echo',
      provider: 'local' as const,
      networkName: 'default',
      createdAt: 'a',
      updatedAt: 'b',
    };
    await index.setDeployed(web, false);
    // The scan read the state before the apply that the write reports.
    finish({ ...empty(), services: [entry], deployed: [web] });
    await reading;
    expect(await index.deployed([web, db])).toEqual([false, false]);
    expect(await index.services([{ clientId: 'alice', serviceId: 'web' }])).toEqual([entry]);
  });

  it('finds the last plan that is not a destroy plan, follows updates, and forgets removed jobs', async () => {
    const index = createMemoryIndex({ load: async () => empty() });
    const plan = job(web);
    const destroyPlan = job(web, 'plan', true);
    const apply = job(web, 'apply');
    for (const j of [plan, destroyPlan, apply]) await index.putJob(j);
    expect((await index.lastPlans([web, db])).map((j) => j?.id)).toEqual([plan.id, undefined]);
    const done = transition(transition(plan, 'running'), 'succeeded');
    await index.putJob(done);
    expect((await index.lastPlans([web]))[0]?.state).toBe('succeeded');
    expect(await index.listJobs('alice')).toHaveLength(3);
    await index.removeJobs([plan, destroyPlan, apply].map((j) => ({ clientId: 'alice', jobId: j.id })));
    expect(await index.jobsOf([web])).toEqual([[]]);
    expect(await index.lastPlans([web])).toEqual([undefined]);
  });

  it('tries the scan again after it failed', async () => {
    let fail = true;
    const index = createMemoryIndex({
      load: async () => {
        if (fail) throw new Error('S3 down');
        return empty();
      },
    });
    await expect(index.clients()).rejects.toThrow('S3 down');
    fail = false;
    expect(await index.clients()).toEqual([]);
  });
});
