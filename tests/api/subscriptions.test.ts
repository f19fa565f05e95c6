import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type App, buildApp, createTokenVerifier } from '@spawnit/api';
import { craftToken } from '@spawnit/embedded';
import type { ServiceStatus } from '@spawnit/engine';
import { type Client, createClient } from 'graphql-ws';
import { decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ApiHarness, startApi } from '../support/api.js';

// Subscriptions end with their authorisation, and how many one user and one socket may hold is capped.

let api: ApiHarness;
let app: App;
let aliceId: string;
const clients: Client[] = [];

const WATCH = 'subscription { serviceStatus { serviceId status { status } } }';
const EXPIRED = { message: 'Your sign-in expired: sign in again.', extensions: { code: 'UNAUTHENTICATED' } };

beforeAll(async () => {
  api = await startApi();
  aliceId = decodeJwt(await api.token('alice')).sub as string;
  // Small limits, so the test reaches them with a handful of subscriptions.
  app = buildApp({
    engine: api.h.engine,
    operations: api.operations,
    verifier: createTokenVerifier({ issuer: api.issuer }),
    subscriptionLimits: { perUser: 3, perSocket: 2 },
    port: 0,
    logging: 'warn',
  });
  await app.start();
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await app?.stop();
  await api?.close();
});

/** A real token of the provider's own key (as `fetchAccessToken` gives), expiring in `seconds`. */
async function tokenExpiringIn(seconds: number): Promise<string> {
  const real = await api.token('alice');
  const { keys } = JSON.parse(await readFile(path.join(api.oidcDir, 'jwks.json'), 'utf8')) as { keys: JWK[] };
  const { kid } = decodeProtectedHeader(real);
  const key = keys.find((k) => k.kid === kid) ?? keys[0]!;
  const now = Math.floor(Date.now() / 1000);
  return craftToken({ claims: { ...decodeJwt(real), iat: now, exp: now + seconds }, key, header: { kid } });
}

function wsClient(url: string, token: string): Client {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
  });
  clients.push(client);
  return client;
}

interface Watch {
  results: { data?: unknown; errors?: unknown[] }[];
  /** Resolves when the subscription completes or errors. */
  ended: Promise<{ error?: unknown }>;
  close(): void;
}

function watch(client: Client, query = WATCH): Watch {
  const results: Watch['results'] = [];
  let close = () => {};
  const ended = new Promise<{ error?: unknown }>((resolve) => {
    close = client.subscribe(
      { query },
      {
        next: (value) => void results.push(value as Watch['results'][number]),
        error: (error) => resolve({ error }),
        complete: () => resolve({}),
      },
    );
  });
  return { results, ended, close };
}

/** `promise`, or a failure naming the wait after `ms`: a subscription that never ends fails fast. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`The subscription did not end within ${ms} ms.`)), ms),
    ),
  ]);
}

let serial = 0;
/** A status change of one of alice's services, as a plan would publish it; resolves once each watch has it. */
async function publishStatus(watches: Watch[]): Promise<void> {
  serial += 1;
  const status: ServiceStatus = {
    status: 'compliant',
    checkedAt: new Date().toISOString(),
    summary: undefined,
    error: undefined,
    source: 'job',
  };
  const before = watches.map((w) => w.results.length);
  // Until each has it: a subscribe message still on its way would miss a single event.
  for (let i = 0; i < 50 && watches.some((w, j) => w.results.length === before[j]); i++) {
    api.operations.events.publish('serviceStatus', { clientId: aliceId, serviceId: `svc-${serial}`, status });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const [j, w] of watches.entries()) expect(w.results.length).toBeGreaterThan(before[j]!);
}

/** SSE on `url`: the events until the stream completes, or `timeoutMs`. */
async function sse(url: string, token: string, query: string, timeoutMs = 10_000) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  const events = [...text.matchAll(/^event: next\ndata: ?(.*)$/gm)].map((m) => JSON.parse(m[1]!));
  return { events, completed: /^event: complete$/m.test(text) };
}

describe('a subscription outliving its token', () => {
  it('ends over graphql-ws when the token expires, with a final UNAUTHENTICATED error', async () => {
    const token = await tokenExpiringIn(3);
    const subscription = watch(wsClient(api.url, token));
    await publishStatus([subscription]);
    const started = Date.now();
    const { error } = await within(subscription.ended, 8_000);
    expect(error).toBeUndefined();
    expect(subscription.results.at(-1)).toEqual({ errors: [EXPIRED] });
    // Ended by the timer, at expiry, without waiting for another event.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(subscription.results.slice(0, -1).every((r) => r.data)).toBe(true);
  });

  it('ends over SSE when the token expires, with a final UNAUTHENTICATED error', async () => {
    const token = await tokenExpiringIn(2);
    const started = Date.now();
    const { events, completed } = await sse(api.url, token, WATCH, 6_000);
    expect(completed).toBe(true);
    expect(events.at(-1)).toEqual({ errors: [EXPIRED] });
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe('a subscription outliving what it watches', () => {
  it('ends, with NOT_FOUND, at the first event after the service is deleted and another made with its id', async () => {
    const token = await api.token('alice');
    const gql = async (query: string) => {
      const { body } = await api.gql(token, query);
      expect(body.errors).toBeUndefined();
    };
    await gql('mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
    const create =
      'mutation { createService(input: { serviceId: "watched", templateId: "echo", params: { message: "hi" } }) { __typename } }';
    await gql(create);
    const query = 'subscription { serviceStatus(id: "watched") { serviceId status { status } } }';
    const overWs = watch(wsClient(api.url, token), query);
    const overSse = sse(api.url, token, query, 8_000);
    const status: ServiceStatus = {
      status: 'compliant',
      checkedAt: new Date().toISOString(),
      summary: undefined,
      error: undefined,
      source: 'job',
    };
    const emit = () =>
      api.operations.events.publish('serviceStatus', { clientId: aliceId, serviceId: 'watched', status });
    // Until the socket has one: its subscribe may still be on its way.
    for (let i = 0; i < 50 && overWs.results.length === 0; i++) {
      emit();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(overWs.results[0]).toEqual({
      data: { serviceStatus: { serviceId: 'watched', status: { status: 'COMPLIANT' } } },
    });
    await gql('mutation { deleteService(id: "watched") }');
    await gql(create);
    emit();
    const gone = {
      message: 'Service "watched" was deleted; subscribe again to follow a service made since with this id.',
      extensions: { code: 'NOT_FOUND' },
    };
    await within(overWs.ended, 5_000);
    expect(overWs.results.at(-1)).toMatchObject({ data: null, errors: [gone] });
    const { events, completed } = await overSse;
    expect(completed).toBe(true);
    expect(events.at(-1)).toMatchObject({ data: null, errors: [gone] });
    expect(events.slice(0, -1).every((e) => e.data?.serviceStatus)).toBe(true);
  });
});

describe('open subscriptions are capped per socket and per user', () => {
  it('refuses a third on one socket and a fourth for the user, and counts them again once closed', async () => {
    const token = await api.token('alice');
    const socketA = wsClient(app.url, token);
    const a1 = watch(socketA);
    const a2 = watch(socketA);
    await publishStatus([a1, a2]);
    const a3 = watch(socketA);
    await within(a3.ended, 5_000);
    expect(a3.results).toEqual([
      {
        errors: [
          {
            message: expect.stringMatching(
              /^This connection has 2 subscriptions open, the most allowed per socket \(SPAWNIT_MAX_SUBSCRIPTIONS_PER_SOCKET=2\)/,
            ),
            extensions: { code: 'LIMIT_EXCEEDED' },
          },
        ],
      },
    ]);

    const socketB = wsClient(app.url, token);
    const b1 = watch(socketB);
    await publishStatus([a1, a2, b1]);
    const b2 = watch(socketB);
    await within(b2.ended, 5_000);
    expect(JSON.stringify(b2.results)).toMatch(
      /You have 3 subscriptions open, the most allowed per user \(SPAWNIT_MAX_SUBSCRIPTIONS_PER_USER=3\)/,
    );
    // SSE counts for the same user.
    const refused = await sse(app.url, token, WATCH, 5_000);
    expect(JSON.stringify(refused.events)).toMatch(/the most allowed per user/);

    // Another user is not held back by alice's subscriptions.
    const bob = watch(wsClient(app.url, await api.token('bob')));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bob.results).toEqual([]);
    bob.close();

    a1.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const b3 = watch(socketB);
    await publishStatus([a2, b1, b3]);
    expect(b3.results.every((r) => r.data)).toBe(true);

    // A socket that goes away gives its subscriptions back: a2 goes with socket A.
    await socketA.dispose();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const socketC = wsClient(app.url, token);
    const c1 = watch(socketC);
    await publishStatus([b1, b3, c1]);
    const c2 = watch(socketC);
    await within(c2.ended, 5_000);
    expect(JSON.stringify(c2.results)).toMatch(/You have 3 subscriptions open/);
  });
});
