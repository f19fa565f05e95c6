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
  createDriftLoop,
  createOperations,
  type DriftLoop,
  type EngineOptions,
  type Operations,
} from '@spawnit/engine';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type EngineHarness, startEngine, type TestS3Kind } from './engine.js';

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

export interface ApiHarness {
  app: App;
  h: EngineHarness;
  operations: Operations;
  drift: DriftLoop | undefined;
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
  driftIntervalMs?: number;
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
 */
export async function startApi(options: StartApiOptions = {}): Promise<ApiHarness> {
  const oidcDir = await mkdtemp(path.join(tmpdir(), 'spawnit-oidc-'));
  const oidc = createOidcProvider({ dataDir: oidcDir, users: USERS });
  const { issuer } = await oidc.start();
  const h = await startEngine(options.engine, { server: options.s3 });
  const operations = createOperations({ engine: h.engine, logFlushMs: 500 });
  const drift =
    options.driftIntervalMs === undefined
      ? undefined
      : createDriftLoop({ engine: h.engine, operations, intervalMs: options.driftIntervalMs });
  const verifier = createTokenVerifier({ issuer, audience: oidc.audience, ...options.verifier });
  const app = buildApp({
    engine: h.engine,
    operations,
    drift,
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
    app,
    h,
    operations,
    drift,
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
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: ?(.*)$/m.exec(block)?.[1];
            if (event === 'next' && data) {
              events.push(JSON.parse(data));
              if (until?.(events)) {
                controller.abort();
                return { status: response.status, events, completed: false };
              }
            }
            if (event === 'complete') return { status: response.status, events, completed: true };
          }
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
      await h.close();
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
