import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createEngine,
  createS3Store,
  type Engine,
  type EngineOptions,
  type S3Store,
  type S3StoreOptions,
} from '@spawnit/engine';
import { FIXTURE_CATALOG, FIXTURE_MODULES } from './paths.js';
import { startTestS3, type TestS3Server } from './s3-server.js';
import { startVersitygw } from './versitygw.js';

/** Which S3 server a harness runs on: ours, or versitygw (independent, honours If-None-Match). */
export type TestS3Kind = 'embedded' | 'versitygw';

export interface StartEngineS3Options {
  /** Ask the embedded server to ignore conditional writes; only it can, so this picks it. */
  conditionalWrites?: boolean;
  /** @default process.env.SPAWNIT_TEST_S3_SERVER, else 'embedded' */
  server?: TestS3Kind;
}

/** The server a test file asked for: SPAWNIT_TEST_S3_SERVER=versitygw runs a file's cases on versitygw. */
export function defaultS3Kind(): TestS3Kind {
  const kind = process.env.SPAWNIT_TEST_S3_SERVER ?? 'embedded';
  if (kind !== 'embedded' && kind !== 'versitygw') {
    throw new Error(`SPAWNIT_TEST_S3_SERVER=${kind} is not a test S3 server: use embedded or versitygw.`);
  }
  return kind;
}

/** A fresh S3 server of `kind` with the bucket "spawnit", and the engine's store on it. */
export async function startTestStore(kind: TestS3Kind): Promise<{ server: TestS3Server; store: S3Store }> {
  const server =
    kind === 'versitygw' ? await startVersitygw({ bucket: 'spawnit' }) : await startTestS3('spawnit');
  return { server, store: createS3Store(storeOptionsOf(server)) };
}

/** The engine's store settings for a test S3 server. */
export const storeOptionsOf = (server: TestS3Server): S3StoreOptions => ({
  endpoint: server.endpoint,
  bucket: server.bucket,
  accessKeyId: server.accessKeyId,
  secretAccessKey: server.secretAccessKey,
});

/**
 * The keys every test engine runs with, so the suite runs the way production does: states and plans
 * encrypted by OpenTofu, configurations sealed.
 */
export const TEST_SECRETS = {
  stateEncryption: { passphrase: 'test-state-passphrase-0123456789' },
  secretsKey: Buffer.alloc(32, 7).toString('base64'),
} satisfies Partial<EngineOptions>;

export interface EngineHarness {
  engine: Engine;
  s3: TestS3Server;
  dataDir: string;
  close(): Promise<void>;
}

/** A real engine on the fixture catalog, against a real S3 server (embedded or versitygw) on a random loopback port. */
export async function startEngine(
  overrides: Partial<EngineOptions> = {},
  s3Options: StartEngineS3Options = {},
): Promise<EngineHarness> {
  const { server = defaultS3Kind(), conditionalWrites } = s3Options;
  const s3 =
    server === 'versitygw' && conditionalWrites !== false
      ? await startVersitygw({ bucket: 'spawnit' })
      : await startTestS3('spawnit', conditionalWrites === undefined ? {} : { conditionalWrites });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'spawnit-engine-'));
  const engine = await openFixtureEngine(s3, dataDir, overrides);
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

/**
 * An engine on the fixture catalog against an S3 server already running, in `dataDir`: another process of
 * the same deployment (an API, a worker) when several share the server.
 */
export function openFixtureEngine(
  s3: TestS3Server,
  dataDir: string,
  overrides: Partial<EngineOptions> = {},
): Promise<Engine> {
  return createEngine({
    store: storeOptionsOf(s3),
    catalogDir: FIXTURE_CATALOG,
    modulesDir: FIXTURE_MODULES,
    dataDir,
    lockTimeout: '5s',
    ...TEST_SECRETS,
    ...overrides,
  });
}

/** What `refuseJobMarkers` makes S3 answer. */
export const MARKER_REFUSED = 'S3 write of the marker refused (injected)';

/**
 * From now on the store's S3 refuses every job marker (an outage that starts at that write): a fault the real
 * server cannot be told to make. Returns what puts it back.
 */
export function refuseJobMarkers(engine: Engine): () => void {
  const { store } = engine;
  const putJson = store.putJson;
  store.putJson = (key, value, options) =>
    key.startsWith('.spawnit/active-jobs/')
      ? Promise.reject(new Error(MARKER_REFUSED))
      : putJson(key, value, options);
  return () => {
    store.putJson = putJson;
  };
}

/** A service of the fixture catalog's `echo` template on the client's `default` local network. */
export async function createEcho(
  engine: Engine,
  clientId: string,
  serviceId: string,
  params: Record<string, unknown>,
): Promise<void> {
  await engine.createService({
    clientId,
    serviceId,
    templateId: 'echo',
    provider: 'local',
    networkName: 'default',
    params,
  });
}
