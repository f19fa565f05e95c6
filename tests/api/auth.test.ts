import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type App, buildApp, createTokenVerifier } from '@spawnit/api';
import { craftToken, createOidcProvider, fetchAccessToken, type OidcProvider } from '@spawnit/embedded';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, collectWs, startApi, USERS } from '../support/api.js';

// Every refusal is checked over HTTP (in process and on the socket), SSE and graphql-ws.

let api: ApiHarness;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await api?.close();
});

/** Another embedded provider; `sameKeysAs` makes it sign with the main provider's key. */
async function startProvider(options: {
  audience?: string;
  accessTokenTtl?: number;
  sameKeys?: boolean;
}): Promise<{ provider: OidcProvider; dir: string; token: (user: 'alice') => Promise<string> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'spawnit-oidc-other-'));
  if (options.sameKeys) await copyFile(path.join(api.oidcDir, 'jwks.json'), path.join(dir, 'jwks.json'));
  const provider = createOidcProvider({
    dataDir: dir,
    users: USERS,
    audience: options.audience,
    accessTokenTtl: options.accessTokenTtl,
  });
  const { issuer } = await provider.start();
  cleanups.push(async () => {
    await provider.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    provider,
    dir,
    token: async (user) =>
      (await fetchAccessToken({ issuer, username: user, password: USERS[user] })).accessToken,
  };
}

/** An API (same engine) that trusts another provider. */
async function appTrusting(issuer: string, jwksCooldownMs?: number): Promise<App> {
  const app = buildApp({
    engine: api.h.engine,
    operations: api.operations,
    verifier: createTokenVerifier({ issuer, audience: 'spawnit-api', jwksCooldownMs }),
    port: 0,
    logging: 'warn',
  });
  await app.start();
  cleanups.push(() => app.stop());
  return app;
}

async function me(app: App, token: string | undefined) {
  const response = await app.yoga.fetch('http://spawnit.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: '{ me { username } }' }),
  });
  return { status: response.status, body: await response.json() };
}

const ME = '{ me { clientId username } }';
const LOGS = 'subscription { jobLogs(jobId: "00000000-0000-4000-8000-000000000000") { n } }';

/** The same token, refused the same way on every transport. */
async function expectRefused(token: string | undefined, message: string) {
  for (const transport of ['in-process', 'http'] as const) {
    const { status, body } = await api.gql(token, ME, undefined, transport);
    expect(status, transport).toBe(401);
    expect(body).toEqual({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
  }
  const sse = await api.sse(token, LOGS);
  expect(sse.status).toBe(401);
  expect(sse.events).toEqual([{ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }]);
  const ws = await collectWs(api.ws(token), LOGS);
  expect(ws.results).toEqual([]);
  expect(ws.error).toMatchObject({ code: 4401, reason: message });
}

describe('tokens', () => {
  it('a token from the provider works on every transport, and its sub is the client id', async () => {
    const token = await api.token('alice');
    const { body } = await api.gql(token, ME, undefined, 'http');
    expect(body.data).toEqual({ me: { clientId: decodeJwt(token).sub, username: 'alice' } });
    const sse = await api.sse(token, `subscription { serviceStatus { serviceId } }`, undefined, () => true);
    expect(sse.status).toBe(200);
    const ws = await collectWs(api.ws(token), 'query { me { username } }');
    expect(ws).toEqual({ results: [{ data: { me: { username: 'alice' } } }] });
  });

  it('refuses a request without a token, or with another scheme', async () => {
    await expectRefused(undefined, 'Sign in: send "Authorization: Bearer <access token>".');
    const { status, body } = await api.gql(undefined, ME);
    expect(status).toBe(401);
    expect(body.errors?.[0]?.message).toContain('Sign in');
    const basic = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic YWxpY2U6cHc=' },
      body: JSON.stringify({ query: ME }),
    });
    expect(basic.status).toBe(401);
    expect(basic.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses an unsigned token (alg: none) and an HMAC one', async () => {
    const claims = decodeJwt(await api.token('alice'));
    const message = 'The token is signed with an algorithm that is not accepted.';
    await expectRefused(await craftToken({ claims, alg: 'none' }), message);
    await expectRefused(
      await craftToken({ claims, alg: 'HS256', key: new TextEncoder().encode('x'.repeat(32)) }),
      message,
    );
  });

  it('refuses a token signed by another key, even one claiming the provider key id', async () => {
    const real = await api.token('alice');
    const forged = await craftToken({
      claims: decodeJwt(real),
      header: { kid: decodeProtectedHeader(real).kid },
    });
    await expectRefused(forged, 'The token is not signed by a key of the issuer.');
  });

  it('refuses a token for another audience, signed by the right key', async () => {
    const other = await startProvider({ audience: 'other-api', sameKeys: true });
    const token = await other.token('alice');
    expect(decodeJwt(token).aud).toBe('other-api');
    // Same key, so only the claims differ; its issuer differs too, so it is refused on both counts.
    await expectRefused(token, 'The token\'s "iss" claim is not accepted.');
    const app = await appTrusting(other.provider.issuer);
    expect(await me(app, token)).toEqual({
      status: 401,
      body: {
        errors: [
          { message: 'The token\'s "aud" claim is not accepted.', extensions: { code: 'UNAUTHENTICATED' } },
        ],
      },
    });
  });

  it('refuses a token from another issuer signed by the right key', async () => {
    const other = await startProvider({ sameKeys: true });
    const token = await other.token('alice');
    expect(decodeJwt(token)).toMatchObject({ aud: 'spawnit-api', iss: other.provider.issuer });
    await expectRefused(token, 'The token\'s "iss" claim is not accepted.');
  });

  it('refuses an expired token; a socket opened before expiry cannot subscribe after it', async () => {
    // Long enough to be used before it expires on a busy machine; then the test waits for its own exp.
    const short = await startProvider({ accessTokenTtl: 4 });
    const app = await appTrusting(short.provider.issuer);
    const token = await short.token('alice');
    const expiresAt = (decodeJwt(token).exp as number) * 1000;
    expect((await me(app, token)).status).toBe(200);
    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    const client = createClient({
      url: app.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      // One socket for both subscriptions: the second is checked at subscribe, not at connect.
      lazy: false,
    });
    cleanups.push(async () => client.dispose());
    expect(await collectWs(client, '{ me { username } }')).toEqual({
      results: [{ data: { me: { username: 'alice' } } }],
    });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1100));
    expect(await me(app, token)).toEqual({
      status: 401,
      body: { errors: [{ message: 'The token has expired.', extensions: { code: 'UNAUTHENTICATED' } }] },
    });
    const late = await collectWs(client, '{ me { username } }');
    expect(late.error).toEqual([
      { message: 'The token has expired.', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
  });

  it('picks up a rotation of the provider keys', async () => {
    const rotating = await startProvider({});
    const app = await appTrusting(rotating.provider.issuer, 0);
    const before = await rotating.token('alice');
    expect((await me(app, before)).status).toBe(200);
    await rotating.provider.stop();
    await rm(path.join(rotating.dir, 'jwks.json'));
    await rotating.provider.start();
    const after = await rotating.token('alice');
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    expect(await me(app, after)).toEqual({ status: 200, body: { data: { me: { username: 'alice' } } } });
    expect((await me(app, before)).status).toBe(401);
  });

  it('reads roles from the configured claim: the admin role makes an admin', async () => {
    const admin = await api.token('admin');
    expect((await api.gql(admin, '{ me { isAdmin roles } }')).body.data).toEqual({
      me: { isAdmin: true, roles: ['spawnit-admin'] },
    });
    const strict = createTokenVerifier({ issuer: api.issuer, adminRole: 'platform-admin' });
    expect(await strict.verify(`Bearer ${admin}`)).toMatchObject({
      isAdmin: false,
      roles: ['spawnit-admin'],
    });
    const nested = createTokenVerifier({ issuer: api.issuer, rolesClaim: 'realm_access.roles' });
    expect(await nested.verify(`Bearer ${admin}`)).toMatchObject({ isAdmin: false, roles: [] });
    expect(() => createTokenVerifier({ issuer: api.issuer, algorithms: ['RS256', 'HS256'] })).toThrow(
      'Token algorithms HS256 are not allowed',
    );
  });
});
