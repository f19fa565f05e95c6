import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  createDriftLoop,
  createOperations,
  createS3JobStore,
  type JobRecord,
  newJob,
  type Operations,
  type ServiceStatus,
  type TargetRef,
  targetKeyOf,
} from '@spawnit/engine';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EngineHarness,
  MARKER_REFUSED,
  openFixtureEngine,
  refuseJobMarkers,
  startEngine,
  TEST_SECRETS,
} from '../support/engine.js';
import { startGate, waitFor } from '../support/gate.js';
import { REPO_ROOT } from '../support/paths.js';

// Sleep lengths no other run on this machine uses, so pgrep finds only this run's provisioners.
const firstSleep = 300 + Math.floor(Math.random() * 290);
const [gracefulSleep, forcedSleep, crashSleep] = [firstSleep, firstSleep + 1, firstSleep + 2];
const sleepRunning = async (seconds: number) =>
  (await execa('pgrep', ['-fx', `sleep ${seconds}`], { reject: false })).exitCode === 0;

let h: EngineHarness;
let ops: Operations;
const clientId = 'carol';
const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
const service = (serviceId: string): TargetRef & { kind: 'service' } => ({
  kind: 'service',
  clientId,
  serviceId,
});

beforeAll(async () => {
  h = await startEngine({ gracePeriodMs: 20_000 });
  ops = createOperations({ engine: h.engine });
  await h.engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  const job = await ops.destroy(network).catch(() => undefined);
  if (job) await ops.waitForJob(clientId, job.id);
  await applyNetwork();
});
afterAll(async () => {
  await ops?.shutdown();
  await h?.close();
});

async function applyNetwork() {
  const plan = await ops.plan(network);
  const planned = await ops.waitForJob(clientId, plan.id);
  if (planned.planId) {
    const applied = await ops.waitForJob(clientId, (await ops.apply(network, plan.id)).id);
    expect(applied.state).toBe('succeeded');
  }
}

async function createService(serviceId: string, params: Record<string, unknown>, networkName = 'default') {
  await h.engine.createService({
    clientId,
    serviceId,
    templateId: 'echo',
    provider: 'local',
    networkName,
    params,
  });
}

/** plan job, then apply job of its plan: the user's flow. */
async function deploy(ref: TargetRef): Promise<JobRecord> {
  const plan = await ops.waitForJob(clientId, (await ops.plan(ref)).id);
  expect(plan.state, plan.error).toBe('succeeded');
  return ops.waitForJob(clientId, (await ops.apply(ref, plan.id)).id);
}

async function collect(iterable: AsyncIterable<{ n: number; text: string }>) {
  const out: { n: number; text: string }[] = [];
  for await (const line of iterable) out.push(line);
  return out;
}

/** A job record for the job store's own cases: nothing runs it. */
const jobThatNeverRan = () =>
  newJob({ id: crypto.randomUUID(), kind: 'plan', trigger: 'user', target: service('logs') });

/** A job's saved log, as another store reads it after a restart (nothing in memory). */
const savedLog = (jobId: string) =>
  createS3JobStore({ store: h.engine.store, index: h.engine.index }).readLog(clientId, jobId, 0);

async function lockOf(ref: TargetRef) {
  const target = await h.engine.resolve(ref);
  return h.engine.store.getJson<{ ID: string }>(`${target.stateKey}.tflock`);
}

describe('the S3 store', () => {
  it('honours conditional writes, so state is locked with the S3 lockfile', () => {
    expect(h.engine.useLockfile).toBe(true);
    expect(h.engine.warnings).toEqual([]);
  });
});

describe('jobs', () => {
  it('a plan job moves queued -> running -> succeeded and is kept in S3 with its summary and log', async () => {
    await createService('history', { message: 'hi' });
    const states: string[] = [];
    const onJob = (job: JobRecord) => job.target.kind === 'service' && states.push(job.state);
    const unsubscribe = ops.events.subscribe('jobUpdated', onJob);
    const queued = await ops.plan(service('history'));
    expect(queued).toMatchObject({ state: 'queued', kind: 'plan', clientId, trigger: 'user' });
    const done = await ops.waitForJob(clientId, queued.id);
    unsubscribe();
    expect(states).toEqual(['queued', 'running', 'succeeded']);
    expect(done).toMatchObject({ state: 'succeeded', planStatus: 'drifted', summary: { add: 1 } });
    expect(done.startedAt! <= done.finishedAt!).toBe(true);

    // A fresh Operations (as after a restart) reads the history from S3.
    const later = createOperations({ engine: h.engine });
    expect(await later.getJob(clientId, queued.id)).toEqual(done);
    const log = await collect(later.followLog(clientId, queued.id));
    expect(log.map((l) => l.n)).toEqual(log.map((_, i) => i));
    expect(log.map((l) => l.text).join('\n')).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(log.map((l) => l.text).join('\n')).toContain('Network "default" (local) is compliant.');
    // A short log is written inside the job's record, with its end (one write): no object of its own.
    const stored = await h.engine.store.getJson<JobRecord & { log?: string[] }>(
      `clients/${clientId}/jobs/${queued.id}.json`,
    );
    expect(stored?.log).toEqual(log.map((l) => l.text));
    expect(await h.engine.store.get(`clients/${clientId}/jobs/${queued.id}.log`)).toBeUndefined();
    // The index keeps the record, never the log: as the job ended, and as the next start reads it from S3.
    expect(await h.engine.index.jobs([{ clientId, jobId: queued.id }])).toEqual([done]);
    const next = await openFixtureEngine(h.s3, path.join(h.dataDir, 'next'));
    try {
      expect(await next.index.jobs([{ clientId, jobId: queued.id }])).toEqual([done]);
    } finally {
      await next.close();
    }
    expect((await later.listJobs(clientId, { target: service('history') })).map((j) => j.id)).toEqual([
      queued.id,
    ]);
    // Another client does not see it.
    expect(await later.getJob('mallory', queued.id)).toBeUndefined();
    // Applied, the plan job's record says by which job, and keeps its log (rewritten, the record keeps it).
    const apply = await ops.waitForJob(clientId, (await ops.apply(service('history'), queued.id)).id);
    expect(apply.state, apply.error).toBe('succeeded');
    expect(
      await h.engine.store.getJson<JobRecord & { log?: string[] }>(
        `clients/${clientId}/jobs/${queued.id}.json`,
      ),
    ).toMatchObject({ appliedBy: apply.id, log: log.map((l) => l.text) });
    expect(await savedLog(queued.id)).toEqual(log.map((l) => l.text));
  });

  it("saves a log too long to ride in its job's record beside it, whole, and reads either back", async () => {
    const jobs = createS3JobStore({ store: h.engine.store, index: h.engine.index });
    const saveEnded = async (lines: number) => {
      const record = jobThatNeverRan();
      const log = jobs.openLog(record, () => undefined);
      for (let i = 0; i < lines; i++) log.append(`line ${i} ${'x'.repeat(60)}`);
      await jobs.save({ ...record, state: 'succeeded', lineCount: lines }, { final: true });
      await log.close();
      const key = `clients/${clientId}/jobs/${record.id}`;
      const stored = await h.engine.store.getJson<JobRecord & { log?: string[] }>(`${key}.json`);
      const object = await h.engine.store.get(`${key}.log`);
      const readBack = await savedLog(record.id);
      return { inRecord: stored?.log?.length, ownObject: object !== undefined, readBack: readBack.length };
    };
    // About 70 bytes a line: 64 KiB is some 930 lines.
    expect(await saveEnded(500)).toEqual({ inRecord: 500, ownObject: false, readBack: 500 });
    expect(await saveEnded(2_000)).toEqual({ inRecord: undefined, ownObject: true, readBack: 2_000 });
  });

  it('a job that ends while S3 is away keeps its whole log, written beside its record once S3 is back', async () => {
    const jobs = createS3JobStore({ store: h.engine.store, index: h.engine.index });
    const record = jobThatNeverRan();
    const log = jobs.openLog(record, () => undefined);
    for (const text of ['one', 'two', 'three']) log.append(text);
    await h.s3.stop();
    try {
      const ended = { ...record, state: 'succeeded' as const, lineCount: 3 };
      await expect(jobs.save(ended, { final: true })).rejects.toThrow();
      // What the worker does when the save fails: a line more, then the log's close (which cannot write either).
      log.append('Could not save the job record: S3 is away');
      await log.close();
    } finally {
      await h.s3.restart();
    }
    await jobs.retryUnsaved();
    const key = `clients/${clientId}/jobs/${record.id}`;
    expect(
      (await h.engine.store.getJson<JobRecord & { log?: string[] }>(`${key}.json`))?.log,
    ).toBeUndefined();
    expect(await savedLog(record.id)).toEqual([
      'one',
      'two',
      'three',
      'Could not save the job record: S3 is away',
    ]);
  });

  it("an ended job's record written again while S3 is away keeps its log, once S3 is back", async () => {
    const jobs = createS3JobStore({ store: h.engine.store, index: h.engine.index });
    const record = jobThatNeverRan();
    const log = jobs.openLog(record, () => undefined);
    for (const text of ['one', 'two']) log.append(text);
    const ended = { ...record, state: 'succeeded' as const, lineCount: 2 };
    await jobs.save(ended, { final: true });
    await log.close();
    // Its plan applied while S3 is away: the rewrite cannot read the log inside the stored record.
    const applied = { ...ended, appliedBy: crypto.randomUUID() };
    await h.s3.stop();
    try {
      await expect(jobs.save(applied)).rejects.toThrow();
    } finally {
      await h.s3.restart();
    }
    await jobs.retryUnsaved();
    const stored = await h.engine.store.getJson<JobRecord & { log?: string[] }>(
      `clients/${clientId}/jobs/${record.id}.json`,
    );
    expect(stored?.appliedBy).toBe(applied.appliedBy);
    expect(stored?.log).toEqual(['one', 'two']);
    expect(await savedLog(record.id)).toEqual(['one', 'two']);
  });

  it('a subscriber joining mid-run gets the missed lines, then live ones, with no gap and no duplicate', async () => {
    await createService('replay', { message: 'hi', sleep_seconds: 3 });
    const plan = await ops.waitForJob(clientId, (await ops.plan(service('replay'))).id);
    const apply = await ops.apply(service('replay'), plan.id);
    const early = collect(ops.followLog(clientId, apply.id));
    // Join once the run is well under way.
    const seen: string[] = [];
    for await (const line of ops.followLog(clientId, apply.id)) {
      seen.push(line.text);
      if (line.text.includes("Provisioning with 'local-exec'")) break;
    }
    const midway = collect(ops.followLog(clientId, apply.id, 2));
    const done = await ops.waitForJob(clientId, apply.id);
    expect(done.state).toBe('succeeded');
    const full = await collect(ops.followLog(clientId, apply.id));
    expect(full.length).toBe(done.lineCount);
    expect(full.map((l) => l.n)).toEqual(full.map((_, i) => i));
    expect(await early).toEqual(full);
    expect(await midway).toEqual(full.slice(2));
    expect(full.map((l) => l.text).join('\n')).toContain('Apply complete! Resources: 2 added');
  });

  it('refuses to apply a plan job that is not a succeeded plan with changes', async () => {
    await createService('nochange', { message: 'hi' });
    await deploy(service('nochange'));
    const plan = await ops.waitForJob(clientId, (await ops.plan(service('nochange'))).id);
    expect(plan.planStatus).toBe('compliant');
    await expect(ops.apply(service('nochange'), plan.id)).rejects.toThrow(/found nothing to change/);
    await expect(ops.apply(service('replay'), plan.id)).rejects.toThrow(/does not exist/);
    await expect(ops.cancel(clientId, plan.id)).rejects.toThrow(/is succeeded; only a queued or running job/);
  });
});

describe('one run at a time', () => {
  it('two concurrent applies on one service never overlap: the second waits, then is refused as stale', async () => {
    await createService('serial', { message: 'hi', sleep_seconds: 2 });
    const [p1, p2] = await Promise.all([ops.plan(service('serial')), ops.plan(service('serial'))]);
    const [plan1, plan2] = await Promise.all([
      ops.waitForJob(clientId, p1.id),
      ops.waitForJob(clientId, p2.id),
    ]);
    expect([plan1.planStatus, plan2.planStatus]).toEqual(['drifted', 'drifted']);
    const [a1, a2] = await Promise.all([
      ops.apply(service('serial'), p1.id),
      ops.apply(service('serial'), p2.id),
    ]);
    const [r1, r2] = await Promise.all([ops.waitForJob(clientId, a1.id), ops.waitForJob(clientId, a2.id)]);
    // Each plan was taken once.
    expect((await ops.getJob(clientId, p1.id))?.appliedBy).toBe(a1.id);
    await expect(ops.apply(service('serial'), p1.id)).rejects.toThrow(
      `Plan job ${p1.id} was already applied by job ${a1.id}; plan again.`,
    );
    const [first, second] = [r1, r2].sort((a, b) => a.startedAt!.localeCompare(b.startedAt!));
    expect(first!.finishedAt! <= second!.startedAt!).toBe(true);
    expect(first!.state).toBe('succeeded');
    expect(second!.state).toBe('failed');
    expect(second!.error).toMatch(/changed since plan .* plan again/);
    const secondLog = (await collect(ops.followLog(clientId, second!.id))).map((l) => l.text).join('\n');
    expect(secondLog).not.toMatch(/Error acquiring the state lock/);
  });
});

describe('network check', () => {
  it('blocks a service plan when its network is not configured, naming the network and what to do', async () => {
    await createService('lonely', { message: 'hi' }, 'backbone');
    const job = await ops.waitForJob(clientId, (await ops.plan(service('lonely'))).id);
    expect(job.state).toBe('failed');
    expect(job.error).toBe(
      'Service "lonely" sits on network "backbone" (local), which is not configured; create the network "backbone" for provider local and apply it, then plan again.',
    );
  });

  it('blocks a service plan while its network is not deployed, then lets two services share it', async () => {
    const backbone: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'backbone' };
    await h.engine.createNetwork({ clientId, provider: 'local', networkName: 'backbone' });
    const blocked = await ops.waitForJob(clientId, (await ops.plan(service('lonely'))).id);
    expect(blocked.state).toBe('failed');
    expect(blocked.error).toMatch(
      /^Network "backbone" \(local\) is not deployed as configured \(its plan has 1 to add, 0 to change, 0 to destroy\); apply the network, then plan service "lonely" again\.$/,
    );
    const net = await ops.waitForJob(clientId, (await ops.plan(backbone)).id);
    expect((await ops.waitForJob(clientId, (await ops.apply(backbone, net.id)).id)).state).toBe('succeeded');
    await createService('friend', { message: 'hi' }, 'backbone');
    const [lonely, friend] = await Promise.all([deploy(service('lonely')), deploy(service('friend'))]);
    expect([lonely.state, friend.state]).toEqual(['succeeded', 'succeeded']);
    // A network with services on it cannot be destroyed.
    await expect(ops.destroy(backbone)).rejects.toThrow(
      /Network "backbone" \(local\) still has deployed services on it \((lonely, friend|friend, lonely)\); destroy them first\./,
    );
    for (const id of ['lonely', 'friend']) {
      expect((await ops.waitForJob(clientId, (await ops.destroy(service(id))).id)).state).toBe('succeeded');
    }
    expect((await ops.waitForJob(clientId, (await ops.destroy(backbone)).id)).state).toBe('succeeded');
  });
});

describe('cancel', () => {
  it('a graceful cancel sends one interrupt: state saved, lock released, no process left', async () => {
    await createService('graceful', { message: 'hi', sleep_seconds: gracefulSleep });
    const plan = await ops.waitForJob(clientId, (await ops.plan(service('graceful'))).id);
    const apply = await ops.apply(service('graceful'), plan.id);
    for await (const line of ops.followLog(clientId, apply.id)) {
      if (line.text.includes("Provisioning with 'local-exec'")) break;
    }
    await waitFor(async () => sleepRunning(gracefulSleep), 'the sleep');
    await ops.cancel(clientId, apply.id);
    const done = await ops.waitForJob(clientId, apply.id);
    expect(done.state).toBe('cancelled');
    expect(done.lock).toBeUndefined();
    const log = (await collect(ops.followLog(clientId, apply.id))).map((l) => l.text).join('\n');
    expect(log).toContain('Interrupt received');
    expect(await lockOf(service('graceful'))).toBeUndefined();
    // What was created before the interrupt is in the state.
    const state = await h.engine.readState(service('graceful'));
    expect(state!.resources!.map((r) => r.name)).toContain('this');
    expect(await sleepRunning(gracefulSleep)).toBe(false);
  });

  it('a forced cancel kills tofu: the lock it leaves is reported and can be released safely', async () => {
    await createService('forced', { message: 'hi', sleep_seconds: forcedSleep });
    const plan = await ops.waitForJob(clientId, (await ops.plan(service('forced'))).id);
    const apply = await ops.apply(service('forced'), plan.id);
    const locks: string[] = [];
    ops.events.subscribe('lockFound', (e) => locks.push(e.lock.id));
    for await (const line of ops.followLog(clientId, apply.id)) {
      if (line.text.includes("Provisioning with 'local-exec'")) break;
    }
    await ops.cancel(clientId, apply.id, { force: true });
    const done = await ops.waitForJob(clientId, apply.id);
    expect(done.state).toBe('cancelled');
    expect(done.lock?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(locks).toEqual([done.lock!.id]);
    expect((await lockOf(service('forced')))?.ID).toBe(done.lock!.id);
    expect(await sleepRunning(forcedSleep)).toBe(false);

    // While locked, a run fails on the lock rather than corrupting anything.
    const blocked = await ops.waitForJob(clientId, (await ops.plan(service('forced'))).id);
    expect(blocked.state).toBe('failed');
    expect(blocked.error).toMatch(/state lock/i);

    await expect(ops.forceUnlock(service('forced'), '00000000-0000-0000-0000-000000000000')).rejects.toThrow(
      /is [0-9a-f-]{36}, not 00000000/,
    );
    await ops.forceUnlock(service('forced'), done.lock!.id);
    expect(await lockOf(service('forced'))).toBeUndefined();
    const after = await ops.waitForJob(clientId, (await ops.plan(service('forced'))).id);
    expect(after.state).toBe('succeeded');
  });

  it('cancels a queued job before it starts', async () => {
    await createService('queued', { message: 'hi', sleep_seconds: 2 });
    const plan = await ops.waitForJob(clientId, (await ops.plan(service('queued'))).id);
    const apply = await ops.apply(service('queued'), plan.id);
    const next = await ops.plan(service('queued'));
    await ops.cancel(clientId, next.id);
    expect((await ops.waitForJob(clientId, next.id)).state).toBe('cancelled');
    expect((await ops.waitForJob(clientId, apply.id)).state).toBe('succeeded');
  });
});

describe('drift loop', () => {
  it('reports a change made outside the engine as drifted within one interval, and only on change', async () => {
    const { writeFile } = await import('node:fs/promises');
    const watch = path.join(h.dataDir, 'drift-watch.txt');
    await writeFile(watch, 'v1');
    await createService('drifty', { message: 'hi', watch_file: watch });
    await deploy(service('drifty'));
    // Drifty's plans, counted as they start: with encrypted state a plan outlasts the 500 ms interval,
    // so passes are no measure of "the next plan".
    const driftyPlans: number[] = [];
    const counting = Object.create(h.engine, {
      plan: {
        value: (ref: TargetRef, options: object) => {
          if (ref.kind === 'service' && ref.serviceId === 'drifty') driftyPlans.push(Date.now());
          return h.engine.plan(ref, options);
        },
      },
    }) as typeof h.engine;
    let changedAt = Number.POSITIVE_INFINITY;
    let plansSinceChange = 0;
    const events: ServiceStatus[] = [];
    ops.events.subscribe('serviceStatus', (e) => {
      if (e.serviceId !== 'drifty') return;
      events.push(e.status);
      plansSinceChange = driftyPlans.filter((at) => at >= changedAt).length;
    });
    const loop = createDriftLoop({ engine: counting, operations: ops, intervalMs: 500, concurrency: 2 });
    loop.start();
    try {
      await waitFor(() => loop.stats.passes >= 3, 'three passes');
      // Applied and unchanged: no event, since the status did not change.
      expect(events).toEqual([]);
      await writeFile(watch, 'v2 changed by hand');
      changedAt = Date.now();
      await waitFor(() => events.length > 0, 'a drift event');
      // The plan running when the file changed may have read it already; the next one must see it.
      expect(plansSinceChange).toBeLessThanOrEqual(1);
      expect(events[0]).toMatchObject({
        status: 'drifted',
        source: 'drift',
        summary: {
          change: 1,
          resources: [{ address: 'module.this.terraform_data.this', actions: ['update'] }],
        },
      });
      const passes = loop.stats.passes;
      await waitFor(() => loop.stats.passes >= passes + 2, 'two more passes');
      expect(events).toHaveLength(1);
      expect((await ops.serviceStatus(clientId, 'drifty'))?.status).toBe('drifted');
    } finally {
      await loop.stop();
    }
  });

  it("a user's job pre-empts a drift plan of the same service", async () => {
    const gate = await startGate();
    try {
      await createService('gated', { message: 'hi', gate_url: gate.url });
      gate.open();
      await deploy(service('gated'));
      const held = await startGate();
      await h.engine.updateService(service('gated'), { message: 'hi', gate_url: held.url });
      const loop = createDriftLoop({ engine: h.engine, operations: ops, intervalMs: 60_000 });
      const heldRead = held.nextRequest();
      const pass = loop.runOnce();
      // The drift plan is now held mid-run, reading the gate's state.
      await heldRead;
      const user = await ops.plan(service('gated'));
      const key = (await h.engine.resolve(service('gated'))).stateKey.replace(/terraform\.tfstate$/, '');
      await waitFor(() => ops.lock.queueLength(key) === 1, "the user's job to wait for the service");
      // Only now may the held read finish: a drift plan that was not interrupted would end as planned,
      // not pre-empted (other services of the pass are planned normally).
      held.open();
      await pass;
      expect(loop.stats.preempted).toBe(1);
      const done = await ops.waitForJob(clientId, user.id);
      expect(done.state).toBe('succeeded');
      await held.close();
    } finally {
      await gate.close();
    }
  });
});

describe('S3 outage during an apply', () => {
  it('keeps errored.tfstate, pushes it back when S3 returns, and loses nothing', async () => {
    await createService('outage', { message: 'hi', sleep_seconds: 4 });
    const plan = await ops.waitForJob(clientId, (await ops.plan(service('outage'))).id);
    const apply = await ops.apply(service('outage'), plan.id);
    const whole = collect(ops.followLog(clientId, apply.id));
    for await (const line of ops.followLog(clientId, apply.id)) {
      if (line.text.includes("Provisioning with 'local-exec'")) break;
    }
    await h.s3.stop();
    const done = await ops.waitForJob(clientId, apply.id);
    await h.s3.restart();
    const failedLog = (await whole).map((l) => l.text).join('\n');
    expect(done.state, failedLog).toBe('failed');
    const recoveryDir = path.join(h.dataDir, 'recovery', clientId, 'services', 'outage');
    const kept = await readdir(recoveryDir).catch(() => [failedLog]);
    expect(kept).toHaveLength(1);
    // The next run pushes the kept state first: the resources created during the outage are not lost.
    const next = await ops.waitForJob(clientId, (await ops.plan(service('outage'))).id);
    expect(next.state, next.error).toBe('succeeded');
    expect(next.planStatus).toBe('compliant');
    expect(await readdir(recoveryDir)).toEqual([]);
    const log = (await collect(ops.followLog(clientId, next.id))).map((l) => l.text).join('\n');
    expect(log).toContain('Recovered 1 state file(s)');
    expect(await lockOf(service('outage'))).toBeUndefined();
  });

  it('a drift check of a service whose state was kept pushes it back first, not a false drifted or a lock error', async () => {
    await createService('stale', { message: 'v1' });
    await deploy(service('stale'));
    // The change is applied while S3 is down: the resources are v2, S3 still holds the v1 state.
    await h.engine.updateService({ clientId, serviceId: 'stale' }, { message: 'v2', sleep_seconds: 4 });
    const plan = await ops.waitForJob(clientId, (await ops.plan(service('stale'))).id);
    const apply = await ops.apply(service('stale'), plan.id);
    for await (const line of ops.followLog(clientId, apply.id)) {
      if (line.text.includes("Provisioning with 'local-exec'")) break;
    }
    await h.s3.stop();
    expect((await ops.waitForJob(clientId, apply.id)).state).toBe('failed');
    await h.s3.restart();
    const recoveryDir = path.join(h.dataDir, 'recovery', clientId, 'services', 'stale');
    expect(await readdir(recoveryDir)).toHaveLength(1);

    const loop = createDriftLoop({
      engine: h.engine,
      operations: ops,
      intervalMs: 60_000,
      dockerHost: false,
    });
    await loop.runOnce();
    await loop.stop();
    // Planned against the v1 state, the check would call the v2 resources a change made outside SpawnIt.
    const status = await ops.serviceStatus(clientId, 'stale');
    expect(status, JSON.stringify(status)).toMatchObject({ status: 'compliant', source: 'drift' });
    expect(await readdir(recoveryDir)).toEqual([]);
    expect((await h.engine.readState(service('stale')))?.resources).toContainEqual(
      expect.objectContaining({ type: 'terraform_data', name: 'slow' }),
    );
  });
});

describe('crash recovery', () => {
  it('after kill -9 of SpawnIt mid-apply, the next start marks the job interrupted and nothing stays stuck', async () => {
    await createService('crash', { message: 'hi', sleep_seconds: crashSleep });
    const child = execa(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(REPO_ROOT, 'tests/engine/fixtures/crash-child.ts'),
        JSON.stringify({
          clientId,
          serviceId: 'crash',
          engine: {
            store: {
              endpoint: h.s3.endpoint,
              bucket: h.s3.bucket,
              accessKeyId: h.s3.accessKeyId,
              secretAccessKey: h.s3.secretAccessKey,
            },
            catalogDir: path.join(REPO_ROOT, 'tests/fixtures/catalog'),
            modulesDir: path.join(REPO_ROOT, 'tests/fixtures/modules'),
            dataDir: h.dataDir,
            ...TEST_SECRETS,
          },
        }),
      ],
      { cwd: path.join(REPO_ROOT, 'tests'), reject: false, all: true },
    );
    // Read the child's lines by hand: leaving execa's line iterator early waits for the child to end.
    const seen: string[] = [];
    let jobId = '';
    let startedAt = '';
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.all! }).on('line', (text) => {
        seen.push(text);
        if (text.startsWith('JOB ')) jobId = text.slice(4);
        if (text.startsWith('STARTED ')) startedAt = text.slice(8);
        if (text === 'PROVISIONING') resolve();
      });
      child.once('exit', () => reject(new Error(`the child exited early:\n${seen.join('\n')}`)));
    });
    // tofu prints the provisioning line before it spawns the sleep: on a busy machine, wait for it.
    await waitFor(() => sleepRunning(crashSleep), 'the sleep');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // The orphaned tofu still sleeps, holding the lock.
    expect(await sleepRunning(crashSleep)).toBe(true);

    const restarted = createOperations({ engine: h.engine });
    const recovered = await restarted.recover();
    const job = recovered.find((j) => j.id === jobId)!;
    expect(job).toMatchObject({
      state: 'interrupted',
      error: expect.stringMatching(/SpawnIt stopped while this job/),
    });
    // When it started, though the record the crash left behind is the queued one.
    expect(startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(job.startedAt).toBe(startedAt);
    expect(await restarted.getJob(clientId, jobId)).toMatchObject({ state: 'interrupted' });
    expect(await sleepRunning(crashSleep)).toBe(false);
    if (job.lock) await restarted.forceUnlock(service('crash'), job.lock.id);
    expect(await lockOf(service('crash'))).toBeUndefined();
    // Nothing is stuck: the service plans and applies again.
    const plan = await restarted.waitForJob(clientId, (await restarted.plan(service('crash'))).id);
    expect(plan.state, plan.error).toBe('succeeded');
    expect(await restarted.recover()).toEqual([]);
  });

  it('finds a job that was still queued, from its marker alone, and marks it interrupted', async () => {
    await createService('queued-crash', { message: 'hi' });
    const ref = service('queued-crash');
    const before = createOperations({ engine: h.engine });
    // Another run holds the service: the job waits in the queue, where a crash would find it.
    const release = await before.lock.acquire(targetKeyOf(ref));
    try {
      const queued = await before.plan(ref);
      expect(queued.state).toBe('queued');
      // Queued, the job is written once: its marker carries its record; the record's object comes when it runs.
      expect(await h.engine.store.get(`clients/${clientId}/jobs/${queued.id}.json`)).toBeUndefined();

      const restarted = createOperations({ engine: h.engine });
      const recovered = await restarted.recover();
      expect(recovered.find((j) => j.id === queued.id)).toMatchObject({
        state: 'interrupted',
        error: expect.stringMatching(/SpawnIt stopped while this job/),
      });
      expect(await restarted.getJob(clientId, queued.id)).toMatchObject({ state: 'interrupted' });
      expect(
        await h.engine.store.getJson<JobRecord>(`clients/${clientId}/jobs/${queued.id}.json`),
      ).toMatchObject({ id: queued.id, state: 'interrupted' });
      expect(await restarted.recover()).toEqual([]);
    } finally {
      // Stopped while still waiting for the service, so the old job never runs.
      await before.shutdown();
      release();
    }
  });

  it('a job that cannot be recorded in S3 fails without running tofu, and the user is told why', async () => {
    await createService('unrecorded', { message: 'hi' });
    const ref = service('unrecorded');
    let tofuRuns = 0;
    const run = h.engine.runContext.run;
    // Counted when a tofu process starts, not when the engine asks for one.
    h.engine.runContext.run = (args, options) =>
      run(args, {
        ...options,
        onSpawn: (pid) => {
          tofuRuns += 1;
          options.onSpawn?.(pid);
        },
      });
    const restore = refuseJobMarkers(h.engine);
    try {
      await expect(ops.plan(ref)).rejects.toThrow(MARKER_REFUSED);
      const [job] = await ops.listJobs(clientId, { target: ref });
      const ended = await ops.waitForJob(clientId, job!.id);
      expect(ended).toMatchObject({
        state: 'failed',
        error: `The job could not be recorded in S3, so it did not run: ${MARKER_REFUSED}`,
      });
      expect(tofuRuns).toBe(0);
    } finally {
      restore();
      h.engine.runContext.run = run;
    }
    // Nothing is left behind: the next plan runs.
    const next = await ops.waitForJob(clientId, (await ops.plan(ref)).id);
    expect(next.state, next.error).toBe('succeeded');
  });

  it('keeps the end of a job whose marker a crash left, and says which log lines were lost', async () => {
    const ref = service('queued-crash');
    const job = await ops.waitForJob(clientId, (await ops.plan(ref)).id);
    expect(job.state, job.error).toBe('succeeded');
    expect(job.lineCount).toBeGreaterThan(2);
    // The job clears its own marker just after it ends: first that, then the marker a crash would have left.
    const markerKey = `.spawnit/active-jobs/${job.id}`;
    await waitFor(async () => !(await h.engine.store.get(markerKey)), "the job's own marker cleared");
    // As a crash leaves a job whose log is written beside its record (one too long to ride in it), between the
    // record's write and the log's: the marker is still there, the log short. (A short log inside its record
    // lands with it: no crash splits them.)
    const jobs = createS3JobStore({ store: h.engine.store, index: h.engine.index });
    await jobs.markActive(job);
    await h.engine.store.putJson(`clients/${clientId}/jobs/${job.id}.json`, job);
    await h.engine.store.put(`clients/${clientId}/jobs/${job.id}.log`, 'first line\nsecond line');

    const restarted = createOperations({ engine: h.engine });
    const warnings: string[] = [];
    restarted.events.subscribe('warning', (message) => warnings.push(message));
    const recovered = await restarted.recover();
    expect(recovered.find((j) => j.id === job.id)).toEqual(job);
    expect(await restarted.getJob(clientId, job.id)).toMatchObject({ state: 'succeeded', error: undefined });
    expect(warnings).toContain(
      `Job ${job.id} of service "queued-crash" succeeded, but SpawnIt stopped before its log was saved whole: its last ${job.lineCount - 2} of ${job.lineCount} lines are lost.`,
    );
    expect(await restarted.recover()).toEqual([]);
  });
});
