import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '@spawnit/engine';
import { FIXTURE_CATALOG, FIXTURE_MODULES } from './paths.js';
import { startTestS3, type TestS3Server } from './s3-server.js';

export interface EngineHarness {
  engine: Engine;
  s3: TestS3Server;
  dataDir: string;
  close(): Promise<void>;
}

/** A real engine on the fixture catalog, against a real S3 server on a random loopback port. */
export async function startEngine(
  overrides: Partial<EngineOptions> = {},
  s3Options: { conditionalWrites?: boolean } = {},
): Promise<EngineHarness> {
  const s3 = await startTestS3('spawnit', s3Options);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'spawnit-engine-'));
  const engine = await createEngine({
    store: {
      endpoint: s3.endpoint,
      bucket: s3.bucket,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    },
    catalogDir: FIXTURE_CATALOG,
    modulesDir: FIXTURE_MODULES,
    dataDir,
    lockTimeout: '5s',
    ...overrides,
  });
  return {
    engine,
    s3,
    dataDir,
    async close() {
      await s3.stop();
      await rm(dataDir, { recursive: true, force: true });
      await rm(s3.directory, { recursive: true, force: true });
    },
  };
}
