import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createDistributedOperations,
  createS3JobStore,
  type DistributedWorker,
  type Engine,
  type JobRecord,
  newJob,
  type Operations,
  startDistributedWorker,
  type TargetRef,
} from '@spawnit/engine';
import postgresDriver from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createEcho as createEchoService,
  MARKER_REFUSED,
  openFixtureEngine,
  refuseJobMarkers,
} from '../support/engine.js';
import { startGate, waitFor } from '../support/gate.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestS3, type TestS3Server } from '../support/s3-server.js';

// Each "process" here is an engine of its own with its own data folder, connection pool, bus listener and
// locks: what they share is what separate machines would, PostgreSQL and S3.
const clientId = 'dora';
const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
const service = (serviceId: string): TargetRef & { kind: 'service' } => ({
  kind: 'service',
  clientId,
  serviceId,
});

let pg: TestPostgres;
let s3: TestS3Server;
const folders: string[] = [];
const engines: Engine[] = [];
const workers: DistributedWorker[] = [];
let apiA: Operations;
let apiB: Operations;

/** A service of the fixture's `echo` template on the default network, created through the first engine. */
const createEcho = (serviceId: string, params: Record<string, unknown>) =>
  createEchoService(engines[0]!, clientId, serviceId, params);

async function openEngine(): Promise<Engine> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'spawnit-scale-'));
  folders.push(dataDir);
  const engine = await openFixtureEngine(s3, dataDir, { databaseUrl: pg.url });
  engines.push(engine);
  return engine;
}

beforeAll(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startTestS3('spawnit')]);
  const [a, b] = [await openEngine(), await openEngine()];
  apiA = await createDistributedOperations({ engine: a, databaseUrl: pg.url, maxQueuedPerTarget: 60 });
  apiB = await createDistributedOperations({ engine: b, databaseUrl: pg.url, maxQueuedPerTarget: 60 });
  for (let i = 0; i < 3; i += 1) {
    workers.push(
      await startDistributedWorker({
        engine: await openEngine(),
        databaseUrl: pg.url,
        id: `w${i}`,
        driftIntervalMs: 2_000,
      }),
    );
  }
  await a.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  const plan = await apiA.waitForJob(clientId, (await apiA.plan(network)).id);
  expect(plan.state, plan.error).toBe('succeeded');
  const applied = await apiA.waitForJob(clientId, (await apiA.apply(network, plan.id)).id);
  expect(applied.state, applied.error).toBe('succeeded');
}, 120_000);

afterAll(async () => {
  for (const worker of workers) await worker.stop().catch(() => undefined);
  await apiA?.shutdown().catch(() => undefined);
  await apiB?.shutdown().catch(() => undefined);
  for (const engine of engines) await engine.close().catch(() => undefined);
  await pg?.close();
  await s3?.stop();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('two APIs and three workers on one PostgreSQL', () => {
  it('runs concurrent plans of one service one at a time, in the order asked, whichever worker takes them', async () => {
    await createEcho('busy', { message: 'hi' });
    // Asked through both APIs at once.
    const asked = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? apiA : apiB).plan(service('busy'))),
    );
    const done: JobRecord[] = await Promise.all(asked.map((job) => apiB.waitForJob(clientId, job.id)));
    for (const job of done) expect(job.state, job.error).toBe('succeeded');
    const byStart = [...done].sort((x, y) => x.startedAt!.localeCompare(y.startedAt!));
    for (let i = 1; i < byStart.length; i += 1) {
      // Never two at once: each starts after the previous one finished.
      expect(byStart[i]!.startedAt! >= byStart[i - 1]!.finishedAt!, `${i}`).toBe(true);
    }

    // In the order asked: one after the other, through either API, while the first still runs.
    const inTurn: JobRecord[] = [];
    for (let i = 0; i < 8; i += 1) inTurn.push(await (i % 2 === 0 ? apiB : apiA).plan(service('busy')));
    const ended = await Promise.all(inTurn.map((job) => apiA.waitForJob(clientId, job.id)));
    const started = [...ended].sort((x, y) => x.startedAt!.localeCompare(y.startedAt!));
    expect(started.map((j) => j.id)).toEqual(inTurn.map((j) => j.id));
  });

  it('a job whose marker S3 refuses is never queued: it ends failed, says why, and frees its place', async () => {
    await createEcho('unrecorded', { message: 'hi' });
    const ref = service('unrecorded');
    const restore = refuseJobMarkers(engines[0]!);
    try {
      await expect(apiA.plan(ref)).rejects.toThrow(MARKER_REFUSED);
    } finally {
      restore();
    }
    const [job] = await apiB.listJobs(clientId, { target: ref });
    expect(job).toMatchObject({
      state: 'failed',
      error: `The job could not be queued, so it did not run: ${MARKER_REFUSED}`,
    });
    expect(job!.startedAt).toBeUndefined();
    // Its place is free and nothing of it waits in the queue: the next plan runs.
    const next = await apiB.waitForJob(clientId, (await apiB.plan(ref)).id);
    expect(next.state, next.error).toBe('succeeded');
  });

  it('a job an API recorded as queued but never handed to the queue, or whose run the queue gave up on, ends failed, saying so; one being handed over is left', async () => {
    await createEcho('orphan', { message: 'hi' });
    const ref = service('orphan');
    const jobs = createS3JobStore({ store: engines[0]!.store, index: engines[0]!.index });
    // What an API process writes before it hands a job to the queue, and no more: it stopped there, two minutes
    // ago (by the database's clock). Beside it, one written just now, as by an API between the same two writes.
    const left = () => newJob({ id: randomUUID(), kind: 'plan', trigger: 'user', target: ref });
    // And one the queue got, whose run failed before it recorded anything (its task threw): runs are tried once.
    // Its task is one no worker here knows, so none takes it.
    const [orphan, handing, gaveUp] = [left(), left(), left()];
    for (const record of [orphan, handing, gaveUp]) {
      await jobs.touch(record);
      await jobs.markActive(record);
    }
    const db = new postgresDriver.Client({ connectionString: pg.url });
    await db.connect();
    try {
      await db.query(
        `UPDATE spawnit_jobs SET recorded_at = now() - interval '2 minutes' WHERE job_id = ANY($1::text[])`,
        [[orphan.id, gaveUp.id]],
      );
      await db.query(
        `SELECT graphile_worker.add_job('spawnit_test_gave_up', '{}'::json, job_key => $1, max_attempts => 1)`,
        [gaveUp.id],
      );
      await db.query(
        `UPDATE graphile_worker._private_jobs SET attempts = 1, last_error = 'Error: the database was away\n    at run (stack)'
          WHERE key = $1`,
        [gaveUp.id],
      );
    } finally {
      await db.end();
    }
    // A worker's heartbeat finds it (every 5 s).
    const ended = await apiB.waitForJob(clientId, orphan.id);
    expect(ended).toMatchObject({
      state: 'failed',
      error:
        'The API process that queued this job stopped before handing it to the workers, so it never ran; ask for it again.',
    });
    expect(ended.startedAt).toBeUndefined();
    expect(await engines[0]!.store.getJson(`clients/${clientId}/jobs/${orphan.id}.json`)).toEqual(ended);
    await waitFor(
      async () => !(await engines[0]!.store.get(`.spawnit/active-jobs/${orphan.id}`)),
      "the orphan's marker cleared",
    );
    expect(await apiB.waitForJob(clientId, gaveUp.id)).toMatchObject({
      state: 'failed',
      error:
        'The workers could not start this job (Error: the database was away), so it never ran; ask for it again.',
    });
    // The sweep that ended them saw the other too, and left it.
    expect(await apiA.getJob(clientId, handing.id)).toMatchObject({ state: 'queued' });
  });

  it("follows a running job's log through the other API, in order, with no gap and no duplicate", async () => {
    await createEcho('slow', { message: 'hi', sleep_seconds: 2 });
    const plan = await apiA.waitForJob(clientId, (await apiA.plan(service('slow'))).id);
    const apply = await apiA.apply(service('slow'), plan.id);
    const lines: { n: number; text: string }[] = [];
    for await (const line of apiB.followLog(clientId, apply.id)) lines.push(line);
    expect(lines.map((l) => l.n)).toEqual(lines.map((_, i) => i));
    const text = lines.map((l) => l.text).join('\n');
    expect(text).toContain("Provisioning with 'local-exec'");
    expect(text).toContain('Apply complete!');
    const ended = await apiA.waitForJob(clientId, apply.id);
    expect(ended.state, ended.error).toBe('succeeded');
    expect(ended.lineCount).toBe(lines.length);
    // The log as kept afterwards is the one followed live.
    expect((await apiA.readLog(clientId, apply.id)).map((l) => l.text)).toEqual(lines.map((l) => l.text));
  });

  it('a cancel sent to one API reaches the worker running the job within a second', async () => {
    await createEcho('long', { message: 'hi', sleep_seconds: 120 });
    const plan = await apiA.waitForJob(clientId, (await apiA.plan(service('long'))).id);
    const apply = await apiA.apply(service('long'), plan.id);
    for await (const line of apiA.followLog(clientId, apply.id)) {
      if (line.text.includes("Provisioning with 'local-exec'")) break;
    }
    const asked = Date.now();
    await apiB.cancel(clientId, apply.id);
    // The worker says so in the log the moment the request reaches it; read through the other API.
    let heardAt: number | undefined;
    for await (const line of apiA.followLog(clientId, apply.id)) {
      if (line.text.startsWith('Cancel requested')) {
        heardAt = Date.now();
        break;
      }
    }
    expect(heardAt! - asked).toBeLessThan(1_000);
    const ended = await apiA.waitForJob(clientId, apply.id);
    expect(ended.state).toBe('cancelled');
  });

  it('a queued job cancelled before any worker takes it never runs', async () => {
    await createEcho('blocked', { message: 'hi', sleep_seconds: 3 });
    const plan = await apiA.waitForJob(clientId, (await apiA.plan(service('blocked'))).id);
    const apply = await apiA.apply(service('blocked'), plan.id);
    // Waits behind the apply in the service's queue.
    const waiting = await apiB.plan(service('blocked'));
    await apiA.cancel(clientId, waiting.id);
    const ended = await apiB.waitForJob(clientId, waiting.id);
    expect(ended.state).toBe('cancelled');
    expect(ended.planStatus).toBeUndefined();
    expect((await apiA.waitForJob(clientId, apply.id)).state).toBe('succeeded');
  });

  it('checks deployed services for drift on whichever worker is free, and reports a change made outside SpawnIt', async () => {
    const watched = path.join(folders[0]!, 'drift-watch.txt');
    await writeFile(watched, 'before');
    await createEcho('watched', { message: 'hi', watch_file: watched });
    const plan = await apiA.waitForJob(clientId, (await apiA.plan(service('watched'))).id);
    expect((await apiA.waitForJob(clientId, (await apiA.apply(service('watched'), plan.id)).id)).state).toBe(
      'succeeded',
    );
    // Heard through the other API's bus: the status a worker's check recorded.
    const drifted = new Promise<number>((resolve) => {
      const unsubscribe = apiB.events.subscribe('serviceStatus', (event) => {
        if (
          event.serviceId === 'watched' &&
          event.status.status === 'drifted' &&
          event.status.source === 'drift'
        ) {
          unsubscribe();
          resolve(Date.now());
        }
      });
    });
    const changed = Date.now();
    await writeFile(watched, 'changed outside SpawnIt');
    const seenAt = await drifted;
    // Within about one interval (2 s) and the time of a plan.
    expect(seenAt - changed).toBeLessThan(15_000);
    const status = await apiA.serviceStatus(clientId, 'watched');
    expect(status?.summary?.change).toBe(1);
    // No job history for drift checks: they are checks, not runs.
    expect((await apiA.listJobs(clientId, { target: service('watched') })).map((j) => j.kind)).toEqual([
      'apply',
      'plan',
    ]);
  }, 60_000);

  it('a database restart mid-run loses nothing: the run finishes, and everything resumes', async () => {
    await createEcho('through', { message: 'hi', sleep_seconds: 6 });
    const plan = await apiA.waitForJob(clientId, (await apiA.plan(service('through'))).id);
    const apply = await apiA.apply(service('through'), plan.id);
    for await (const line of apiB.followLog(clientId, apply.id)) {
      if (line.text.includes("Provisioning with 'local-exec'")) break;
    }
    await pg.stop();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await pg.start();
    const ended = await apiB.waitForJob(clientId, apply.id);
    expect(ended.state, ended.error).toBe('succeeded');
    // The whole log, from S3's copy or the table: nothing the run wrote is lost.
    const text = (await apiA.readLog(clientId, apply.id)).map((l) => l.text).join('\n');
    expect(text).toContain('Apply complete!');
    expect(await engines[1]!.isDeployed(service('through'))).toBe(true);
    // New runs go through as before.
    const again = await apiB.waitForJob(clientId, (await apiA.plan(service('through'))).id);
    expect(again.state, again.error).toBe('succeeded');
    expect(again.planStatus).toBe('compliant');
  }, 120_000);

  /**
   * Applies a service whose apply writes `ticks` lines, one every 100 ms, follows its log through the other
   * API, and stops the database for `outageMs` once the tenth tick is seen. Says what the other API heard.
   */
  async function followThroughOutage(serviceId: string, ticks: number, outageMs: number) {
    await createEcho(serviceId, { message: 'hi', ticks });
    const plan = await apiA.waitForJob(clientId, (await apiA.plan(service(serviceId))).id);
    expect(plan.state, plan.error).toBe('succeeded');
    const apply = await apiA.apply(service(serviceId), plan.id);
    const ended = apiB.waitForJob(clientId, apply.id);
    const warnings: string[] = [];
    const unsubscribe = apiB.events.subscribe('warning', (message) => warnings.push(message));
    // The job's states as the other API hears them.
    const states: string[] = [];
    const unsubscribeJob = apiB.events.subscribe('jobUpdated', (record) => {
      if (record.id === apply.id) states.push(record.state);
    });
    const lines: { n: number; text: string }[] = [];
    let outage: Promise<number> | undefined;
    try {
      for await (const line of apiB.followLog(clientId, apply.id)) {
        lines.push(line);
        if (!outage && / tick 10$/.test(line.text)) {
          outage = (async () => {
            await pg.stop();
            const stoppedAt = Date.now();
            await new Promise((resolve) => setTimeout(resolve, outageMs));
            await pg.start();
            return Date.now() - stoppedAt;
          })();
        }
      }
      const away = await outage;
      const end = await ended;
      // The worker's report of the lines that waited for the database comes after them.
      const waited = new RegExp(
        `^Job ${apply.id}: the database was away for about [\\d.]+ s; (\\d+) log lines waited`,
      );
      await vi.waitFor(() => expect(warnings.find((w) => waited.test(w))).toBeDefined(), { timeout: 10_000 });
      const linesWaited = Number(warnings.find((w) => waited.test(w))!.match(waited)![1]);
      console.log(
        `${serviceId}: database away ${away} ms; ${linesWaited} log lines waited in the worker at most; the follower got ${lines.length} lines; warnings heard: ${JSON.stringify(warnings)}`,
      );
      return { lines, ended: end, apply, away, linesWaited, warnings, states };
    } finally {
      unsubscribe();
      unsubscribeJob();
    }
  }

  const ticksOf = (lines: { text: string }[]) =>
    lines.flatMap((l) => l.text.match(/\(local-exec\): tick (\d+)$/)?.slice(1, 2) ?? []).map(Number);

  /**
   * A log followed through an outage: every line once, in order, the `ticks` ticks included; the job's count says
   * as many; and the log kept afterwards (the table, then S3) is the one followed live.
   */
  async function expectWholeLog(lines: { n: number; text: string }[], ended: JobRecord, ticks: number) {
    expect(lines.map((l) => l.n)).toEqual(lines.map((_, i) => i));
    expect(ticksOf(lines)).toEqual(Array.from({ length: ticks }, (_, i) => i + 1));
    expect(ended.lineCount).toBe(lines.length);
    expect((await apiA.readLog(clientId, ended.id)).map((l) => l.text)).toEqual(lines.map((l) => l.text));
  }

  it("a database outage mid-run: a follower on the other API gets every line once, in order, and the job's end", async () => {
    const { lines, ended, away, linesWaited } = await followThroughOutage('ticking', 80, 3_000);
    expect(away).toBeGreaterThanOrEqual(3_000);
    expect(ended.state, ended.error).toBe('succeeded');
    // About one line per 100 ms of the outage waited in the worker for the database.
    expect(linesWaited).toBeGreaterThan(10);
    // Every line, numbered without a gap or a repeat, the ticks written while the database was away included.
    await expectWholeLog(lines, ended, 80);
  }, 120_000);

  it('a job that ends while the database is away: its end reaches every API, its record and the index say so', async () => {
    const { lines, ended, apply, away, linesWaited, states } = await followThroughOutage('ending', 30, 6_000);
    // The ticks end about 2 s into the outage: the job's end, its record and its last lines wait for the database.
    expect(away).toBeGreaterThanOrEqual(6_000);
    expect(ended.state, ended.error).toBe('succeeded');
    expect(linesWaited).toBeGreaterThan(10);
    expect(lines.map((l) => l.n)).toEqual(lines.map((_, i) => i));
    expect(ticksOf(lines)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    // Its end was published once, written once, and heard once by the other API.
    expect(states.filter((state) => state === 'succeeded')).toEqual(['succeeded']);
    const db = new postgresDriver.Client({ connectionString: pg.url });
    await db.connect();
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM spawnit_events
        WHERE event = 'jobUpdated' AND args->0->>'id' = $1 AND args->0->>'state' = 'succeeded'`,
      [apply.id],
    );
    await db.end();
    expect(rows[0].n).toBe(1);
    expect(ended.lineCount).toBe(lines.length);
    // The index (what listings read) and the record in S3 (what a rebuild reads) both have the end.
    const listed = (await apiB.listJobs(clientId, { target: service('ending') })).find(
      (j) => j.id === apply.id,
    );
    expect(listed?.state).toBe('succeeded');
    expect(listed?.lineCount).toBe(lines.length);
    const stored = await engines[1]!.store.getJson<JobRecord>(`clients/${clientId}/jobs/${apply.id}.json`);
    expect(stored?.state).toBe('succeeded');
    expect(stored?.lineCount).toBe(lines.length);
    expect((await apiA.readLog(clientId, apply.id)).map((l) => l.text)).toEqual(lines.map((l) => l.text));
    // The target is free and runs go through as before.
    const again = await apiB.waitForJob(clientId, (await apiA.plan(service('ending'))).id);
    expect(again.state, again.error).toBe('succeeded');
    expect(again.planStatus).toBe('compliant');
  }, 120_000);

  it("a user's job stops a worker's drift check of the same service rather than waiting for it", async () => {
    const gate = await startGate();
    const held = await startGate();
    try {
      gate.open();
      await createEcho('gated', { message: 'hi', gate_url: gate.url });
      const plan = await apiA.waitForJob(clientId, (await apiA.plan(service('gated'))).id);
      expect((await apiA.waitForJob(clientId, (await apiA.apply(service('gated'), plan.id)).id)).state).toBe(
        'succeeded',
      );
      // From now on every plan of it waits at the held gate: the next drift check is caught mid-run.
      await engines[0]!.updateService(
        { clientId, serviceId: 'gated' },
        { message: 'hi', gate_url: held.url },
      );
      await held.nextRequest();
      const preempted = () => workers.reduce((sum, w) => sum + w.driftStats.preempted, 0);
      const before = preempted();
      const user = await apiB.plan(service('gated'));
      // The held check is told to stop as soon as the user's job is queued; tofu ends once the gate answers.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      held.open();
      const done = await apiA.waitForJob(clientId, user.id);
      expect(done.state, done.error).toBe('succeeded');
      expect(preempted()).toBe(before + 1);
      expect((await apiA.serviceStatus(clientId, 'gated'))?.source).toBe('job');
    } finally {
      held.open();
      await held.close();
      await gate.close();
    }
  }, 120_000);

  it('a state a worker could not save to S3 is pushed back by another worker, on another disk', async () => {
    await createEcho('outage', { message: 'hi', sleep_seconds: 4 });
    const plan = await apiA.waitForJob(clientId, (await apiA.plan(service('outage'))).id);
    const apply = await apiA.apply(service('outage'), plan.id);
    for await (const line of apiB.followLog(clientId, apply.id)) {
      if (line.text.includes("Provisioning with 'local-exec'")) break;
    }
    await s3.stop();
    const failed = await apiA.waitForJob(clientId, apply.id);
    await s3.restart();
    expect(failed.state).toBe('failed');
    // Every worker that could hold the kept file on its disk goes; a new one, on a fresh disk, takes over.
    for (const worker of workers.splice(0)) await worker.stop();
    workers.push(
      await startDistributedWorker({
        engine: await openEngine(),
        databaseUrl: pg.url,
        id: 'fresh',
        driftIntervalMs: 0,
      }),
    );
    const next = await apiA.waitForJob(clientId, (await apiB.plan(service('outage'))).id);
    expect(next.state, next.error).toBe('succeeded');
    // The resources the failed apply made are in the state again: nothing to change.
    expect(next.planStatus).toBe('compliant');
    const log = (await apiA.readLog(clientId, next.id)).map((l) => l.text).join('\n');
    expect(log).toContain('Recovered 1 state file(s)');
    const db = new postgresDriver.Client({ connectionString: pg.url });
    await db.connect();
    const { rows } = await db.query('SELECT count(*)::int AS n FROM spawnit_kept_states');
    await db.end();
    expect(rows[0].n).toBe(0);
  }, 180_000);
  it('past the lines a worker keeps for an absent database, a follower gets the rest from the saved log', async () => {
    // One worker, which keeps 5 lines of a log at most while the database is away.
    for (const worker of workers.splice(0)) await worker.stop();
    workers.push(
      await startDistributedWorker({
        engine: await openEngine(),
        databaseUrl: pg.url,
        id: 'small',
        driftIntervalMs: 0,
        maxUnwrittenLines: 5,
      }),
    );
    const { lines, ended, apply, warnings } = await followThroughOutage('capped', 40, 3_000);
    expect(ended.state, ended.error).toBe('succeeded');
    expect(
      warnings.find((w) => w.startsWith(`Job ${apply.id}: the database is away and 5 log lines wait`)),
    ).toBeDefined();
    // Every line once, in order: those past the cap come from S3 once the log ends.
    await expectWholeLog(lines, ended, 40);
  }, 120_000);

  it('a job that ends while the database is away, past the lines its worker keeps: a follower still gets them all', async () => {
    // The ticks end about 2 s into the outage: the lines kept go to the table with the log's end, in one batch,
    // and the end counts those past the cap too, so the follower reads them from the saved log.
    const { lines, ended, linesWaited } = await followThroughOutage('capped-end', 30, 6_000);
    expect(ended.state, ended.error).toBe('succeeded');
    expect(linesWaited).toBe(5);
    await expectWholeLog(lines, ended, 30);
  }, 120_000);
});
