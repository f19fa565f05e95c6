import {
  createMemoryIndex,
  createPostgresIndex,
  emptyIndexSnapshot,
  type IndexSnapshot,
  type JobRecord,
  type ListingIndex,
  newJob,
  type PostgresIndex,
  type ServiceEntry,
  type TargetRef,
  transition,
} from '@spawnit/engine';
import postgresDriver from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

const web: TargetRef = { kind: 'service', clientId: 'alice', serviceId: 'web' };
const db: TargetRef = { kind: 'service', clientId: 'alice', serviceId: 'db' };
const lan: TargetRef = { kind: 'network', clientId: 'alice', provider: 'local', networkName: 'lan' };
const empty = emptyIndexSnapshot;

let clock = Date.parse('2026-01-01T00:00:00Z');
function job(target: TargetRef, kind: JobRecord['kind'] = 'plan', destroy = false): JobRecord {
  clock += 1000;
  return {
    ...newJob({ id: crypto.randomUUID(), kind, trigger: 'user', target, destroy }),
    createdAt: new Date(clock).toISOString(),
  };
}
const entry = (serviceId: string, clientId = 'alice'): ServiceEntry => ({
  clientId,
  serviceId,
  templateId: 'echo',
  provider: 'local',
  networkName: 'default',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});
/** JSON keeps no `undefined`: compare records as they come back from either adapter. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value));

let pg: TestPostgres;
const opened: PostgresIndex[] = [];
let databases = 0;

beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  for (const index of opened) await index.close().catch(() => undefined);
  await pg?.close();
});

async function postgresIndex(load: () => Promise<IndexSnapshot>, url?: string): Promise<PostgresIndex> {
  const index = await createPostgresIndex({
    connectionString: url ?? (await pg.createDatabase(`index_${++databases}`)),
    load,
  });
  opened.push(index);
  return index;
}

const adapters: [string, (load: () => Promise<IndexSnapshot>) => Promise<ListingIndex>][] = [
  ['in process', async (load) => createMemoryIndex({ load })],
  ['PostgreSQL', (load) => postgresIndex(load)],
];

describe.each(adapters)('the listing index (%s)', (_name, make) => {
  it('reads S3 once, on first use, and lists the newest jobs first, up to a limit', async () => {
    const old = Array.from({ length: 50 }, () => job(web));
    let loads = 0;
    const index = await make(async () => {
      loads += 1;
      // Out of order, as a listing gives them.
      return { ...empty(), jobs: [...old].reverse() };
    });
    expect(loads).toBe(0);
    const fresh = job(db);
    await index.putJob(fresh);
    const listed = await index.listJobs('alice', { limit: 3 });
    expect(listed.map((j) => j.id)).toEqual([fresh.id, old[49]!.id, old[48]!.id]);
    expect((await index.listJobs('alice', { target: db })).map((j) => j.id)).toEqual([fresh.id]);
    expect((await index.jobsOf([web, db, lan], 2)).map((list) => list.map((j) => j.id))).toEqual([
      [old[49]!.id, old[48]!.id],
      [fresh.id],
      [],
    ]);
    expect(await index.listJobs('bob')).toEqual([]);
    expect(loads).toBe(1);
  });

  it('answers batched reads in the order of the keys, with undefined where there is nothing', async () => {
    const index = await make(async () => ({
      ...empty(),
      services: [entry('web'), entry('db'), entry('web', 'bob')],
      networks: [{ ...entry('x'), provider: 'local', networkName: 'lan', serviceId: undefined } as never],
      statuses: [
        {
          ref: { clientId: 'alice', serviceId: 'web' },
          status: {
            status: 'compliant',
            checkedAt: 'now',
            summary: undefined,
            error: undefined,
            source: 'job',
          },
        },
      ],
      deployed: [web, lan],
    }));
    const keys = [
      { clientId: 'alice', serviceId: 'zzz' },
      { clientId: 'alice', serviceId: 'web' },
      { clientId: 'bob', serviceId: 'web' },
    ];
    expect((await index.services(keys)).map((s) => s && `${s.clientId}/${s.serviceId}`)).toEqual([
      undefined,
      'alice/web',
      'bob/web',
    ]);
    expect((await index.statuses(keys)).map((s) => s?.status)).toEqual([undefined, 'compliant', undefined]);
    expect(await index.deployed([db, lan, web])).toEqual([false, true, true]);
    expect(
      (await index.networks([{ clientId: 'alice', provider: 'local', networkName: 'lan' }]))[0],
    ).toBeDefined();
    expect((await index.listServices('alice')).map((s) => s.serviceId)).toEqual(['db', 'web']);
    expect(await index.clients()).toEqual(['alice', 'bob']);
    await index.removeTarget(web);
    expect(await index.deployed([web])).toEqual([false]);
    expect(await index.statuses([{ clientId: 'alice', serviceId: 'web' }])).toEqual([undefined]);
    expect((await index.listServices('alice')).map((s) => s.serviceId)).toEqual(['db']);
  });

  it('finds the last plan that is not a destroy plan, follows updates, and forgets removed jobs', async () => {
    const index = await make(async () => empty());
    const plan = job(web);
    const destroyPlan = job(web, 'plan', true);
    const apply = job(web, 'apply');
    for (const j of [plan, destroyPlan, apply]) await index.putJob(j);
    expect((await index.lastPlans([web, db])).map((j) => j?.id)).toEqual([plan.id, undefined]);
    const done = transition(transition(plan, 'running'), 'succeeded');
    await index.putJob(done);
    expect(plain((await index.lastPlans([web]))[0])).toEqual(plain(done));
    expect(await index.listJobs('alice')).toHaveLength(3);
    await index.removeJobs([plan, destroyPlan, apply].map((j) => ({ clientId: 'alice', jobId: j.id })));
    expect(await index.jobsOf([web])).toEqual([[]]);
    expect(await index.lastPlans([web])).toEqual([undefined]);
  });

  it("keeps each target's saved plans: read from S3 on first use, added, removed, forgotten with the target", async () => {
    const day = (d: number) => `2026-01-0${d}T00:00:00.000Z`;
    const index = await make(async () => ({
      ...empty(),
      savedPlans: [{ target: web, plan: { planId: 'from-s3', savedAt: day(2) } }],
    }));
    await index.putSavedPlan(web, { planId: 'newer', savedAt: day(3) });
    await index.putSavedPlan(web, { planId: 'older', savedAt: day(1) });
    await index.putSavedPlan(lan, { planId: 'of-the-network', savedAt: day(1) });
    // Oldest first, and only the target's own.
    expect(await index.savedPlans(web)).toEqual([
      { planId: 'older', savedAt: day(1) },
      { planId: 'from-s3', savedAt: day(2) },
      { planId: 'newer', savedAt: day(3) },
    ]);
    expect(await index.savedPlans(db)).toEqual([]);
    await index.removeSavedPlans(web, ['older', 'from-s3']);
    expect((await index.savedPlans(web)).map((p) => p.planId)).toEqual(['newer']);
    await index.removeTarget(web);
    expect(await index.savedPlans(web)).toEqual([]);
    expect((await index.savedPlans(lan)).map((p) => p.planId)).toEqual(['of-the-network']);
  });

  it('tries the scan again after it failed', async () => {
    let fail = true;
    const index = await make(async () => {
      if (fail) throw new Error('S3 down');
      return empty();
    });
    await expect(index.clients()).rejects.toThrow('S3 down');
    fail = false;
    expect(await index.clients()).toEqual([]);
  });
});

describe('the listing index in PostgreSQL', () => {
  it('is one index for every process: a write by one is read by the other, and S3 is read once', async () => {
    const url = await pg.createDatabase('shared');
    let loads = 0;
    const load = async () => {
      loads += 1;
      return { ...empty(), services: [entry('from-s3')] };
    };
    const [a, b] = await Promise.all([postgresIndex(load, url), postgresIndex(load, url)]);
    // Both start at once: one fills, the other waits for it.
    const [fromA, fromB] = await Promise.all([a.listServices('alice'), b.listServices('alice')]);
    expect(fromA.map((s) => s.serviceId)).toEqual(['from-s3']);
    expect(fromB).toEqual(fromA);
    expect(loads).toBe(1);
    const record = job(web);
    await a.putJob(record);
    await a.setDeployed(web, true);
    expect((await b.jobs([{ clientId: 'alice', jobId: record.id }]))[0]?.id).toBe(record.id);
    expect(await b.deployed([web])).toEqual([true]);
  });

  it('is rebuilt from S3, the truth: what only the database held is gone, what S3 holds is back', async () => {
    const kept = job(web);
    const index = await postgresIndex(async () => ({ ...empty(), jobs: [kept], deployed: [web] }));
    expect(await index.deployed([web])).toEqual([true]);
    await index.putJob(job(db));
    await index.setDeployed(web, false);
    await index.rebuild();
    expect((await index.listJobs('alice')).map((j) => j.id)).toEqual([kept.id]);
    expect(await index.deployed([web])).toEqual([true]);
  });

  it('takes the saved plans from S3 into an index an earlier version filled without them', async () => {
    const url = await pg.createDatabase('before_saved_plans');
    const plan = { planId: 'saved-before', savedAt: '2026-01-01T00:00:00.000Z' };
    let loads = 0;
    const load = async () => {
      loads += 1;
      return { ...empty(), services: [entry('web')], savedPlans: [{ target: web, plan }] };
    };
    const earlier = await postgresIndex(load, url);
    expect(await earlier.listServices('alice')).toHaveLength(1);
    // As an earlier version left it: filled, with no saved plans and no mark that they were taken.
    const db = new postgresDriver.Client({ connectionString: url });
    await db.connect();
    await db
      .query('DELETE FROM spawnit_saved_plans; DELETE FROM spawnit_index_state WHERE id = 2')
      .finally(() => db.end());
    await earlier.putService(entry('written-since'));
    const next = await postgresIndex(load, url);
    expect(await next.savedPlans(web)).toEqual([plan]);
    // The rest is kept as the database has it, not read again from S3.
    expect((await next.listServices('alice')).map((s) => s.serviceId)).toEqual(['web', 'written-since']);
    expect(loads).toBe(2);
  });

  it('answers again after the database restarts', async () => {
    const index = await postgresIndex(async () => ({ ...empty(), services: [entry('web')] }));
    expect(await index.listServices('alice')).toHaveLength(1);
    await pg.stop();
    await expect(index.listServices('alice')).rejects.toThrow();
    await pg.start();
    expect((await index.listServices('alice')).map((s) => s.serviceId)).toEqual(['web']);
  });
});
