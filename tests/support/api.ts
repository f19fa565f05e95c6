import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type App, buildApp, createTokenVerifier, type TokenVerifierOptions } from '@spawnit/api';
import {
  createOidcProvider,
  fetchAccessToken,
  type OidcProvider,
  type UserDefinition,
} from '@spawnit/embedded';
import {
  createDistributedDriftLag,
  createDistributedOperations,
  createDriftLoop,
  createOperations,
  type DistributedWorker,
  type DriftLoop,
  type Engine,
  type EngineOptions,
  type Operations,
  startDistributedWorker,
} from '@spawnit/engine';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type EngineHarness, openFixtureEngine, startEngine, type TestS3Kind } from './engine.js';
import { startPostgres, type TestPostgres } from './postgres.js';
import { sseEvents } from './sse.js';

export const USERS = {
  alice: 'alice-test-password',
  bob: 'bob-test-password',
  admin: { password: 'admin-test-password', roles: ['spawnit-admin'] },
} satisfies Record<string, UserDefinition>;
export type Username = keyof typeof USERS;

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/**
 * How the API runs its jobs: `in-process` (one process: queue, runs, events in memory) or `distributed` (the
 * job service on PostgreSQL, runs on a worker with an engine of its own, as `spawnit api` + `spawnit worker`).
 */
export type TestMode = 'in-process' | 'distributed';

/** The mode a test file asked for: SPAWNIT_TEST_MODE=distributed runs a file's cases on PostgreSQL and a worker. */
export function defaultTestMode(): TestMode {
  const mode = process.env.SPAWNIT_TEST_MODE ?? 'in-process';
  if (mode !== 'in-process' && mode !== 'distributed') {
    throw new Error(`SPAWNIT_TEST_MODE=${mode} is not a test mode: use in-process or distributed.`);
  }
  return mode;
}

export interface ApiHarness {
  /** The mode this harness runs in. */
  mode: TestMode;
  app: App;
  h: EngineHarness;
  operations: Operations;
  /** The one-process drift loop (in-process mode with `driftIntervalMs`). */
  drift: DriftLoop | undefined;
  /**
   * In the distributed mode: the PostgreSQL server, and the worker running jobs on an engine of its own
   * (`workers` lists them all when `StartApiOptions.workers` asked for more; `worker` is the first).
   */
  distributed?: {
    pg: TestPostgres;
    worker: DistributedWorker;
    workerEngine: Engine;
    workers: { worker: DistributedWorker; engine: Engine }[];
  };
  oidc: OidcProvider;
  issuer: string;
  /** The provider's data dir (its signing keys are `jwks.json` there). */
  oidcDir: string;
  /** The API's URL. */
  url: string;
  /** A real access token from the embedded provider (code + PKCE flow), cached per user. */
  token(user: Username): Promise<string>;
  /** One operation, in process (`yoga.fetch`) or over the real socket. */
  gql<T = Record<string, unknown>>(
    token: string | undefined,
    query: string,
    variables?: Record<string, unknown>,
    transport?: 'in-process' | 'http',
  ): Promise<GraphQLResponse<T>>;
  /**
   * A subscription over SSE on the real socket: every `next` payload until `complete`, or until `until`
   * says enough (asked once the stream is open, then at each event; the stream is then cancelled, as a
   * browser closing it).
   */
  sse<T = Record<string, unknown>>(
    token: string | undefined,
    query: string,
    variables?: Record<string, unknown>,
    until?: (events: GraphQLResponse<T>['body'][]) => boolean,
  ): Promise<{ status: number; events: GraphQLResponse<T>['body'][]; completed: boolean }>;
  /** A graphql-ws client on the real socket. */
  ws(token: string | undefined): Client;
  close(): Promise<void>;
}

export interface StartApiOptions {
  /**
   * Drift checks every so often: the one-process drift loop, or in the distributed mode the workers' queued
   * checks (and their Docker trigger), with `system { driftLag }` read from PostgreSQL.
   */
  driftIntervalMs?: number;
  /** Workers in the distributed mode, each on an engine of its own. @default 1 */
  workers?: number;
  /** @default process.env.SPAWNIT_TEST_MODE, else 'in-process' */
  mode?: TestMode;
  development?: boolean;
  verifier?: Partial<TokenVerifierOptions>;
  /** Engine settings over the fixture defaults (e.g. the real catalog and modules, a provider mirror). */
  engine?: Partial<EngineOptions>;
  /** The S3 server under the engine. @default process.env.SPAWNIT_TEST_S3_SERVER, else 'embedded' */
  s3?: TestS3Kind;
}

/**
 * The API on real parts: the embedded S3 server, the embedded OIDC provider with known users, the engine
 * on the fixture catalog (real terraform), operations, and `buildApp` listening on a free loopback port.
 * Distributed (`mode`, SPAWNIT_TEST_MODE): a PostgreSQL of its own under the engine's index, the API's job
 * service on it, and one worker on a second engine (own data folder, same S3 and database) running the jobs.
 */
export async function startApi(options: StartApiOptions = {}): Promise<ApiHarness> {
  const oidcDir = await mkdtemp(path.join(tmpdir(), 'spawnit-oidc-'));
  const oidc = createOidcProvider({ dataDir: oidcDir, users: USERS });
  const { issuer } = await oidc.start();
  const mode = options.mode ?? defaultTestMode();
  const pg = mode === 'distributed' ? await startPostgres() : undefined;
  const h = await startEngine(
    { ...options.engine, ...(pg ? { databaseUrl: pg.url } : {}) },
    { server: options.s3 },
  );
  let distributed: ApiHarness['distributed'];
  let operations: Operations;
  if (pg) {
    operations = await createDistributedOperations({ engine: h.engine, databaseUrl: pg.url });
    // Each worker is another machine: an engine of its own (own data folder), sharing S3 and the database.
    const workers: { worker: DistributedWorker; engine: Engine }[] = [];
    for (let i = 0; i < (options.workers ?? 1); i += 1) {
      const workerDir = await mkdtemp(path.join(tmpdir(), 'spawnit-worker-'));
      const engine = await openFixtureEngine(h.s3, workerDir, { ...options.engine, databaseUrl: pg.url });
      const worker = await startDistributedWorker({
        engine,
        databaseUrl: pg.url,
        id: i === 0 ? 'test-worker' : `test-worker-${i}`,
        // Without a drift interval, statuses come from the tests' own plans, as in process without a loop.
        driftIntervalMs: options.driftIntervalMs ?? 0,
      });
      workers.push({ worker, engine });
    }
    distributed = { pg, worker: workers[0]!.worker, workerEngine: workers[0]!.engine, workers };
  } else {
    operations = createOperations({ engine: h.engine, logFlushMs: 500 });
  }
  const drift =
    options.driftIntervalMs === undefined || pg
      ? undefined
      : createDriftLoop({ engine: h.engine, operations, intervalMs: options.driftIntervalMs });
  const workersLag =
    options.driftIntervalMs !== undefined && pg
      ? await createDistributedDriftLag({
          engine: h.engine,
          databaseUrl: pg.url,
          intervalMs: options.driftIntervalMs,
        })
      : undefined;
  const verifier = createTokenVerifier({ issuer, audience: oidc.audience, ...options.verifier });
  const app = buildApp({
    engine: h.engine,
    operations,
    drift: drift ?? workersLag,
    verifier,
    development: options.development ?? true,
    port: 0,
    logging: 'warn',
  });
  const { url } = await app.start();
  drift?.start();
  const tokens = new Map<Username, Promise<string>>();
  const clients: Client[] = [];

  const body = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });
  const headers = (token: string | undefined, accept = 'application/json') => ({
    'content-type': 'application/json',
    accept,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });

  return {
    mode,
    app,
    h,
    operations,
    drift,
    distributed,
    oidc,
    issuer,
    oidcDir,
    url,
    token(user) {
      let token = tokens.get(user);
      if (!token) {
        const definition = USERS[user];
        const password = typeof definition === 'string' ? definition : definition.password;
        token = fetchAccessToken({ issuer, username: user, password }).then((t) => t.accessToken);
        tokens.set(user, token);
      }
      return token;
    },
    async gql(token, query, variables, transport = 'in-process') {
      const init = { method: 'POST', headers: headers(token), body: body(query, variables) };
      const response =
        transport === 'http'
          ? await fetch(url, init)
          : await app.yoga.fetch('http://spawnit.test/graphql', init);
      return { status: response.status, body: await response.json() };
    },
    async sse(token, query, variables, until) {
      const controller = new AbortController();
      const response = await fetch(url, {
        method: 'POST',
        headers: headers(token, 'text/event-stream'),
        body: body(query, variables),
        signal: controller.signal,
      });
      // biome-ignore lint/suspicious/noExplicitAny: each caller types its payloads
      const events: any[] = [];
      if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
        events.push(await response.json());
        return { status: response.status, events, completed: false };
      }
      if (until?.(events)) {
        controller.abort();
        return { status: response.status, events, completed: false };
      }
      try {
        for await (const { event, data } of sseEvents(
          response.body as unknown as AsyncIterable<Uint8Array>,
        )) {
          if (event === 'next' && data) {
            events.push(JSON.parse(data));
            if (until?.(events)) {
              controller.abort();
              return { status: response.status, events, completed: false };
            }
          }
          if (event === 'complete') return { status: response.status, events, completed: true };
        }
      } catch (error) {
        // Leaving the loop on an aborted stream throws; it was us.
        if (!controller.signal.aborted) throw error;
        return { status: response.status, events, completed: false };
      }
      throw new Error(`The SSE stream ended without a complete event after ${events.length} events.`);
    },
    ws(token) {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const client of clients) await client.dispose();
      await drift?.stop();
      await app.stop();
      await operations.shutdown();
      await workersLag?.close();
      for (const { worker, engine } of distributed?.workers ?? []) {
        await worker.stop();
        await engine.close();
        await rm(engine.dataDir, { recursive: true, force: true });
      }
      await h.engine.close();
      await h.close();
      await distributed?.pg.close();
      await oidc.stop();
      await rm(oidcDir, { recursive: true, force: true });
    },
  };
}

/** Runs a subscription on a graphql-ws client and collects every result until it completes or errors. */
export function collectWs<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
  onNext?: (value: GraphQLResponse<T>['body']) => void,
): Promise<{ results: GraphQLResponse<T>['body'][]; error?: unknown }> {
  const results: GraphQLResponse<T>['body'][] = [];
  return new Promise((resolve) => {
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          results.push(value as GraphQLResponse<T>['body']);
          onNext?.(value as GraphQLResponse<T>['body']);
        },
        error: (error) => resolve({ results, error }),
        complete: () => resolve({ results }),
      },
    );
  });
}
