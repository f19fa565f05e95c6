import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDistributedOperations, type Engine, type Operations } from '@spawnit/engine';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openFixtureEngine } from '../support/engine.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startTestS3, type TestS3Server } from '../support/s3-server.js';

// Found by bench/queue-overhead.ts: on a database no process had listed anything from, the first plan asked
// failed with 'relation "spawnit_jobs" does not exist' (the queue counts waiting jobs in the index's tables).
const clientId = 'erin';
let pg: TestPostgres;
let s3: TestS3Server;
const folders: string[] = [];
const engines: Engine[] = [];
let api: Operations | undefined;

async function openEngine(databaseUrl?: string): Promise<Engine> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'spawnit-fresh-db-'));
  folders.push(dataDir);
  const engine = await openFixtureEngine(s3, dataDir, { databaseUrl });
  engines.push(engine);
  return engine;
}

beforeAll(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startTestS3('spawnit')]);
}, 60_000);

afterAll(async () => {
  await api?.shutdown().catch(() => undefined);
  for (const engine of engines) await engine.close().catch(() => undefined);
  await pg?.close();
  await s3?.stop();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

it('queues the first plan asked of a fresh database', async () => {
  // Written before any process of the PostgreSQL mode starts, as by `start` before a move to it.
  await (await openEngine()).createNetwork({ clientId, provider: 'local', networkName: 'default' });
  api = await createDistributedOperations({ engine: await openEngine(pg.url), databaseUrl: pg.url });
  const job = await api.plan({ kind: 'network', clientId, provider: 'local', networkName: 'default' });
  expect(job.state).toBe('queued');
  expect((await api.getJob(clientId, job.id))?.state).toBe('queued');
});
