import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createOidcProvider, fetchAccessToken, type OidcProvider } from '@spawnit/embedded';
import { createClient } from 'graphql-ws';
import postgresDriver from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collectWs, USERS } from '../support/api.js';
import { TEST_SECRETS } from '../support/engine.js';
import { freePort } from '../support/free-port.js';
import { startGate } from '../support/gate.js';
import { FIXTURE_CATALOG, FIXTURE_MODULES, REPO_ROOT } from '../support/paths.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestS3, type TestS3Server } from '../support/s3-server.js';
import { sseEvents } from '../support/sse.js';

// `spawnit api` twice and `spawnit worker` three times, as separate processes started the way an operator would
// (packages/api/src/main-api.ts and main-worker.ts), sharing only PostgreSQL, S3 and the OIDC issuer.
let pg: TestPostgres;
let s3: TestS3Server;
let oidc: OidcProvider;
let issuer: string;
const folders: string[] = [];
const processes: { child: ChildProcess; output: string[]; role: string }[] = [];
const workers: ChildProcess[] = [];
const apis: string[] = [];
let token: string;
const gates: Awaited<ReturnType<typeof startGate>>[] = [];

/** What every process of the deployment is started with: the same database, S3, issuer and keys. */
function processEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: String(port),
    SPAWNIT_DATABASE_URL: pg.url,
    SPAWNIT_DATA_DIR: dataDir,
    SPAWNIT_CATALOG_DIR: FIXTURE_CATALOG,
    SPAWNIT_MODULES_DIR: FIXTURE_MODULES,
    SPAWNIT_S3_ENDPOINT: s3.endpoint,
    SPAWNIT_S3_BUCKET: s3.bucket,
    SPAWNIT_S3_ACCESS_KEY_ID: s3.accessKeyId,
    SPAWNIT_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    SPAWNIT_OIDC_ISSUER: issuer,
    SPAWNIT_OIDC_AUDIENCE: oidc.audience,
    // Every process reads the states and configurations the others wrote: the same keys.
    SPAWNIT_STATE_PASSPHRASE: TEST_SECRETS.stateEncryption.passphrase,
    SPAWNIT_SECRETS_KEY: TEST_SECRETS.secretsKey,
    SPAWNIT_HOST: '127.0.0.1',
    NODE_ENV: 'development',
  };
}

async function startProcess(role: 'api' | 'worker'): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `spawnit-${role}-`));
  folders.push(dataDir);
  const port = role === 'api' ? await freePort() : 0;
  const child = spawn(
    process.execPath,
    // Each role's own entry point, as `pnpm api` and `pnpm worker` start them (no SPAWNIT_ROLE).
    ['--import', 'tsx', path.join(REPO_ROOT, `packages/api/src/main-${role}.ts`)],
    {
      // Where tsx resolves (and no .env of a developer's is read).
      cwd: path.join(REPO_ROOT, 'tests'),
      env: processEnv(dataDir, port),
      stdio: ['ignore', 'pipe', 'pipe'],
      // A worker leads a process group of its own (its tofu, its provisioners): killing the group is losing
      // the machine.
      detached: role === 'worker',
    },
  );
  const output: string[] = [];
  processes.push({ child, output, role });
  if (role === 'worker') workers.push(child);
  const ready = role === 'api' ? 'SpawnIt API ready' : 'SpawnIt worker ready';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes(ready)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`spawnit ${role} exited ${code}:\n${output.join('')}`)));
  });
  return `http://127.0.0.1:${port}/graphql`;
}

// biome-ignore lint/suspicious/noExplicitAny: each caller reads its own fields
type Data = Record<string, any>;

async function gql<T = Data>(url: string, query: string, variables?: object): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

/** The log of a job over SSE from `url`, until the subscription completes; `onLine` hears each line as it comes. */
async function followOverSse(
  url: string,
  jobId: string,
  onLine?: (line: { n: number; text: string }) => void,
): Promise<{ n: number; text: string }[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({
      query: 'subscription ($id: ID!) { jobLogs(jobId: $id) { n text } }',
      variables: { id: jobId },
    }),
  });
  const lines: { n: number; text: string }[] = [];
  for await (const { event, data } of sseEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
    if (event === 'next' && data) {
      const line = JSON.parse(data).data.jobLogs;
      lines.push(line);
      onLine?.(line);
    }
    if (event === 'complete') return lines;
  }
  throw new Error(`The SSE stream ended without completing after ${lines.length} lines.`);
}

async function waitForJob(url: string, id: string): Promise<Data> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const { job } = await gql(
      url,
      'query ($id: ID!) { job(id: $id) { id state error planStatus startedAt finishedAt } }',
      { id },
    );
    if (['SUCCEEDED', 'FAILED', 'CANCELLED', 'INTERRUPTED'].includes(job.state)) return job;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`job ${id} did not end in 120 s`);
}

beforeAll(async () => {
  const oidcDir = await mkdtemp(path.join(tmpdir(), 'spawnit-oidc-'));
  folders.push(oidcDir);
  oidc = createOidcProvider({ dataDir: oidcDir, users: USERS });
  [pg, s3, { issuer }] = await Promise.all([startPostgres(), startTestS3('spawnit'), oidc.start()]);
  token = (await fetchAccessToken({ issuer, username: 'alice', password: USERS.alice })).accessToken;
  // One at a time: the first creates the database's tables, the others find them.
  apis.push(await startProcess('api'));
  apis.push(await startProcess('api'));
  await startProcess('worker');
  await startProcess('worker');
  await startProcess('worker');
}, 180_000);

afterAll(async () => {
  for (const { child } of processes) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  for (const gate of gates) await gate.close();
  await oidc?.stop();
  await s3?.stop();
  await pg?.close();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('spawnit api x2 and spawnit worker x3, separate processes on one PostgreSQL', () => {
  it('a service planned through one API is run by a worker, its log followed live through the other API', async () => {
    const [one, two] = apis as [string, string];
    await gql(one, 'mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
    const { planNetwork } = await gql(
      one,
      'mutation { planNetwork(name: "default", provider: LOCAL) { id } }',
    );
    expect((await waitForJob(two, planNetwork.id)).state).toBe('SUCCEEDED');
    const { applyNetwork } = await gql(
      two,
      'mutation ($id: ID!) { applyNetwork(name: "default", provider: LOCAL, planJobId: $id) { id } }',
      { id: planNetwork.id },
    );
    expect((await waitForJob(one, applyNetwork.id)).state).toBe('SUCCEEDED');
    await gql(two, 'mutation ($input: CreateServiceInput!) { createService(input: $input) { __typename } }', {
      input: { serviceId: 'web', templateId: 'echo', params: { message: 'hi', sleep_seconds: 2 } },
    });
    const { planService } = await gql(one, 'mutation { planService(id: "web") { id } }');
    const planned = await waitForJob(two, planService.id);
    expect(planned, JSON.stringify(planned)).toMatchObject({ state: 'SUCCEEDED', planStatus: 'DRIFTED' });
    const { applyService } = await gql(
      one,
      'mutation ($id: ID!) { applyService(id: "web", planJobId: $id) { id } }',
      { id: planService.id },
    );
    // Over SSE and graphql-ws at once, through the API that did not queue it.
    const ws = createClient({
      url: two.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: true,
    });
    const [lines, overWs] = await Promise.all([
      followOverSse(two, applyService.id),
      collectWs<{ jobLogs: { n: number; text: string } }>(
        ws,
        'subscription ($id: ID!) { jobLogs(jobId: $id) { n text } }',
        { id: applyService.id },
      ),
    ]);
    await ws.dispose();
    expect(overWs.error).toBeUndefined();
    expect(overWs.results.map((r) => r.data!.jobLogs)).toEqual(lines);
    expect(lines.map((l) => l.n)).toEqual(lines.map((_, i) => i));
    expect(lines.map((l) => l.text).join('\n')).toContain('Apply complete!');
    expect((await waitForJob(one, applyService.id)).state).toBe('SUCCEEDED');
    const { service } = await gql(two, '{ service(id: "web") { deployed } }');
    expect(service.deployed).toBe(true);
    // Either API reads how late the workers' drift checks are from the database: on time here.
    for (const url of [one, two]) expect((await gql(url, '{ system { driftLag } }')).system.driftLag).toBe(0);
  });

  it('the database stopped mid-run: the other API streams every line once, in order, and the run ends', async () => {
    const [one, two] = apis as [string, string];
    await gql(two, 'mutation ($input: CreateServiceInput!) { createService(input: $input) { __typename } }', {
      input: { serviceId: 'ticking', templateId: 'echo', params: { message: 'hi', ticks: 60 } },
    });
    const { planService } = await gql(one, 'mutation { planService(id: "ticking") { id } }');
    expect((await waitForJob(two, planService.id)).state).toBe('SUCCEEDED');
    const { applyService } = await gql(
      one,
      'mutation ($id: ID!) { applyService(id: "ticking", planJobId: $id) { id } }',
      { id: planService.id },
    );
    let outage: Promise<void> | undefined;
    const lines = await followOverSse(two, applyService.id, (line) => {
      if (outage || !/ tick 10$/.test(line.text)) return;
      outage = (async () => {
        await pg.stop();
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        await pg.start();
      })();
    });
    await outage;
    expect(lines.map((l) => l.n)).toEqual(lines.map((_, i) => i));
    const ticks = lines.flatMap((l) => l.text.match(/\(local-exec\): tick (\d+)$/)?.slice(1, 2) ?? []);
    expect(ticks.map(Number)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const ended = await waitForJob(one, applyService.id);
    expect(ended.state, ended.error).toBe('SUCCEEDED');
  }, 120_000);

  it('a cancel sent to one API stops the run on whichever worker holds it', async () => {
    const [one, two] = apis as [string, string];
    await gql(one, 'mutation ($input: CreateServiceInput!) { createService(input: $input) { __typename } }', {
      input: { serviceId: 'long', templateId: 'echo', params: { message: 'hi', sleep_seconds: 300 } },
    });
    const { planService } = await gql(two, 'mutation { planService(id: "long") { id } }');
    expect((await waitForJob(one, planService.id)).state).toBe('SUCCEEDED');
    const { applyService } = await gql(
      two,
      'mutation ($id: ID!) { applyService(id: "long", planJobId: $id) { id } }',
      { id: planService.id },
    );
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const { job } = await gql(one, 'query ($id: ID!) { job(id: $id) { log { text } } }', {
        id: applyService.id,
      });
      if (job.log.some((l: { text: string }) => l.text.includes("Provisioning with 'local-exec'"))) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const asked = Date.now();
    await gql(one, 'mutation ($id: ID!) { cancelJob(id: $id) { id } }', { id: applyService.id });
    const ended = await waitForJob(two, applyService.id);
    expect(ended.state).toBe('CANCELLED');
    // One interrupt: tofu stops the provisioner and saves the state; far sooner than the 300 s sleep.
    expect(Date.now() - asked).toBeLessThan(30_000);
  });

  it('a worker killed with kill -9 mid-apply: its job is interrupted within 30 s, its lock reported, and the target runs again', async () => {
    const [one, two] = apis as [string, string];
    await gql(one, 'mutation ($input: CreateServiceInput!) { createService(input: $input) { __typename } }', {
      input: { serviceId: 'doomed', templateId: 'echo', params: { message: 'hi', sleep_seconds: 300 } },
    });
    const { planService } = await gql(two, 'mutation { planService(id: "doomed") { id } }');
    expect((await waitForJob(one, planService.id)).state).toBe('SUCCEEDED');
    const { applyService } = await gql(
      two,
      'mutation ($id: ID!) { applyService(id: "doomed", planJobId: $id) { id } }',
      { id: planService.id },
    );
    // The worker running it, from the table where each worker says what it runs.
    const db = new postgresDriver.Client({ connectionString: pg.url });
    await db.connect();
    let holder: ChildProcess | undefined;
    const deadline = Date.now() + 60_000;
    while (!holder && Date.now() < deadline) {
      const { job } = await gql(one, 'query ($id: ID!) { job(id: $id) { log { text } } }', {
        id: applyService.id,
      });
      if (job.log.some((l: { text: string }) => l.text.includes("Provisioning with 'local-exec'"))) {
        const { rows } = await db.query('SELECT worker_id FROM spawnit_running WHERE job_id = $1', [
          applyService.id,
        ]);
        const pid = Number(
          String(rows[0]?.worker_id ?? '')
            .split('-')
            .at(-1),
        );
        holder = workers.find((w) => w.pid === pid);
      }
      if (!holder) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await db.end();
    expect(holder, 'the worker running the apply').toBeDefined();
    const killed = Date.now();
    process.kill(-holder!.pid!, 'SIGKILL');

    const ended = await waitForJob(two, applyService.id);
    expect(ended.state).toBe('INTERRUPTED');
    expect(Date.now() - killed).toBeLessThan(30_000);
    const { job } = await gql(one, 'query ($id: ID!) { job(id: $id) { error lock { id } } }', {
      id: applyService.id,
    });
    expect(job.error).toContain('stopped answering');
    // tofu was killed holding the state lock: reported, to release once nothing runs there.
    expect(job.lock?.id, job.error).toBeTruthy();
    expect(job.error).toContain(job.lock.id);
    await gql(two, 'mutation ($lock: String!) { forceUnlockService(id: "doomed", lockId: $lock) }', {
      lock: job.lock.id,
    });
    // The target's queue is free again: the next run goes to the worker still alive.
    const again = await gql(one, 'mutation { planService(id: "doomed") { id } }');
    const replanned = await waitForJob(two, again.planService.id);
    expect(replanned.state, replanned.error).toBe('SUCCEEDED');
  });

  it('a worker killed with kill -9 mid-drift-check: the next run of that service goes to another worker', async () => {
    const [one, two] = apis as [string, string];
    const open = await startGate();
    open.open();
    const held = await startGate();
    gates.push(open, held);
    await gql(one, 'mutation ($input: CreateServiceInput!) { createService(input: $input) { __typename } }', {
      input: { serviceId: 'watched', templateId: 'echo', params: { message: 'hi', gate_url: open.url } },
    });
    const { planService } = await gql(two, 'mutation { planService(id: "watched") { id } }');
    expect((await waitForJob(one, planService.id)).state).toBe('SUCCEEDED');
    const { applyService } = await gql(
      two,
      'mutation ($id: ID!) { applyService(id: "watched", planJobId: $id) { id } }',
      { id: planService.id },
    );
    expect((await waitForJob(one, applyService.id)).state).toBe('SUCCEEDED');
    // From now on a plan of the service waits at the held gate: the next drift check (every 10 s) stays there.
    const reached = held.nextRequest();
    await gql(one, 'mutation ($p: JSON!) { updateService(id: "watched", params: $p) { __typename } }', {
      p: { message: 'hi', gate_url: held.url },
    });
    await reached;
    // The worker running that check: graphile-worker's lock on it, and the table where each worker notes the
    // queue workers it runs tasks with.
    const db = new postgresDriver.Client({ connectionString: pg.url });
    await db.connect();
    const { rows } = await db.query(
      `SELECT w.worker_id FROM graphile_worker.jobs j JOIN spawnit_queue_workers w ON w.queue_worker_id = j.locked_by
       WHERE j.key LIKE 'drift:%services/watched%'`,
    );
    await db.end();
    const pid = Number(
      String(rows[0]?.worker_id ?? '')
        .split('-')
        .at(-1),
    );
    const holder = workers.find((w) => w.pid === pid && w.exitCode === null && w.signalCode === null);
    expect(holder, `the worker running the drift check (${JSON.stringify(rows)})`).toBeDefined();
    process.kill(-holder!.pid!, 'SIGKILL');
    const killed = Date.now();
    held.open();
    // The service's queue was locked by the dead worker: freed once it is found dead, not hours later.
    const again = await gql(two, 'mutation { planService(id: "watched") { id } }');
    const replanned = await waitForJob(one, again.planService.id);
    expect(replanned.state, replanned.error).toBe('SUCCEEDED');
    const seconds = (Date.now() - killed) / 1000;
    process.stdout.write(
      `[scale-out] a plan after a worker died mid-drift-check ended ${seconds.toFixed(1)} s after the kill\n`,
    );
    expect(seconds).toBeLessThan(60);
  }, 240_000);

  it('index:rebuild reads the index again from S3: what the database lost is listed again', async () => {
    const [one] = apis as [string, string];
    const before = (await gql(one, '{ services { id deployed } }')).services;
    expect(before.length).toBeGreaterThan(0);
    const db = new postgresDriver.Client({ connectionString: pg.url });
    await db.connect();
    await db.query('DELETE FROM spawnit_services');
    await db.query('DELETE FROM spawnit_deployed');
    await db.end();
    expect((await gql(one, '{ services { id } }')).services).toEqual([]);
    const env = processEnv(await mkdtemp(path.join(tmpdir(), 'spawnit-rebuild-')), 0);
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(REPO_ROOT, 'packages/api/src/rebuild-index.ts')],
        { cwd: path.join(REPO_ROOT, 'tests'), env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk));
      child.once('exit', (code) => resolve({ code, text }));
    });
    expect(out.code, out.text).toBe(0);
    expect(out.text).toMatch(/Index rebuilt from S3 in [\d.]+ s: 1 client\(s\), \d+ service\(s\)/);
    const after = (await gql(one, '{ services { id deployed } }')).services;
    expect(after).toEqual(before);
  });
});
