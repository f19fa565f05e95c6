import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_CLIENT_ID, CLI_REDIRECT_URI } from './clients.js';
import { craftToken } from './craft-token.js';
import { createOidcProvider, type OidcProvider } from './create-oidc-provider.js';
import { fetchAccessToken, SignInError } from './fetch-access-token.js';
import { runTokenCommand } from './token-command.js';
import type { CreatedUser } from './user-store.js';

let dataDir: string;
let provider: OidcProvider;
let issuer: string;
let createdUsers: CreatedUser[];
const cleanup: Array<() => Promise<unknown>> = [];

function passwordOf(username: string): string {
  const user = createdUsers.find((created) => created.username === username);
  if (!user) throw new Error(`no generated password for ${username}`);
  return user.password;
}

async function verify(token: string, options: { issuer?: string; audience?: string } = {}) {
  const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    jwks_uri: string;
  };
  // A fresh JWKS fetch each time: after a restart this proves the provider still publishes the old key.
  return jwtVerify(token, createRemoteJWKSet(new URL(metadata.jwks_uri)), {
    issuer: options.issuer ?? issuer,
    audience: options.audience ?? 'spawnit-api',
    algorithms: ['RS256'],
    typ: 'at+jwt',
  });
}

/** Starts a sign-in by hand and returns the login page's URL with the cookie that binds it. */
async function openLoginPage(): Promise<{ url: URL; cookie: string }> {
  const authorization = new URL('/auth', issuer);
  authorization.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLI_CLIENT_ID,
    redirect_uri: CLI_REDIRECT_URI,
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }).toString();
  const response = await fetch(authorization, { redirect: 'manual' });
  expect(response.status).toBe(303);
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  return { url: new URL(response.headers.get('location') ?? '', issuer), cookie };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spawnit-oidc-'));
  provider = createOidcProvider({ dataDir });
  ({ issuer, createdUsers } = await provider.start());
});

afterAll(async () => {
  await provider?.stop();
  for (const step of cleanup) await step();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('createOidcProvider', () => {
  it('listens on loopback and creates the default users with generated passwords, stored hashed', async () => {
    expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(createdUsers.map(({ username, roles }) => ({ username, roles }))).toEqual([
      { username: 'admin', roles: ['spawnit-admin'] },
      { username: 'alice', roles: [] },
      { username: 'bob', roles: [] },
    ]);
    for (const { password } of createdUsers) expect(password.length).toBeGreaterThanOrEqual(20);

    const stored = await readFile(join(dataDir, 'users.json'), 'utf8');
    for (const { password } of createdUsers) expect(stored).not.toContain(password);
    expect(stored).toContain('"passwordHash": "scrypt$');
    expect((await stat(join(dataDir, 'users.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir, 'jwks.json'))).mode & 0o777).toBe(0o600);
  });

  it('issues alice a JWT access token for the API that jose verifies against the published JWKS', async () => {
    const tokens = await fetchAccessToken({ issuer, username: 'alice', password: passwordOf('alice') });
    const { payload, protectedHeader } = await verify(tokens.accessToken);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(payload).toMatchObject({
      iss: issuer,
      aud: 'spawnit-api',
      preferred_username: 'alice',
      roles: [],
    });
    expect(payload.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(tokens.expiresIn).toBe(3600);
    // The ID token names the same account.
    expect(decodeJwt(tokens.idToken ?? '').sub).toBe(payload.sub);

    const bob = await fetchAccessToken({ issuer, username: 'bob', password: passwordOf('bob') });
    expect((await verify(bob.accessToken)).payload.sub).not.toBe(payload.sub);
  });

  it("puts the admin role in admin's token", async () => {
    const tokens = await fetchAccessToken({ issuer, username: 'admin', password: passwordOf('admin') });
    expect((await verify(tokens.accessToken)).payload.roles).toEqual(['spawnit-admin']);
  });

  it('accepts the resource indicator explicitly and refuses an unknown one', async () => {
    const tokens = await fetchAccessToken({
      issuer,
      username: 'alice',
      password: passwordOf('alice'),
      resource: provider.resource,
    });
    expect((await verify(tokens.accessToken)).payload.aud).toBe('spawnit-api');

    const refused = fetchAccessToken({
      issuer,
      username: 'alice',
      password: passwordOf('alice'),
      resource: 'https://elsewhere.example/api',
    });
    await expect(refused).rejects.toThrow(/invalid_target/);
  });

  it('signs in through the web client without a consent screen', async () => {
    const tokens = await fetchAccessToken({
      issuer,
      username: 'alice',
      password: passwordOf('alice'),
      clientId: 'spawnit-web',
      redirectUri: 'http://127.0.0.1:5173/callback',
      scope: 'openid profile',
    });
    const { payload } = await verify(tokens.accessToken);
    expect(payload.client_id).toBe('spawnit-web');
  });

  it('gives the web client a refresh token that renews its access token, and the CLI client none', async () => {
    const web = await fetchAccessToken({
      issuer,
      username: 'alice',
      password: passwordOf('alice'),
      clientId: 'spawnit-web',
      redirectUri: 'http://127.0.0.1:5173/callback',
      scope: 'openid profile',
    });
    expect(web.refreshToken).toBeTruthy();
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: web.refreshToken!,
        client_id: 'spawnit-web',
      }),
    });
    const renewed = (await response.json()) as { access_token: string; refresh_token: string };
    expect(response.status).toBe(200);
    expect(renewed.access_token).not.toBe(web.accessToken);
    const { payload } = await verify(renewed.access_token);
    expect(payload).toMatchObject({ client_id: 'spawnit-web', preferred_username: 'alice' });
    const cli = await fetchAccessToken({ issuer, username: 'alice', password: passwordOf('alice') });
    expect(cli.refreshToken).toBeUndefined();
  });

  it('refuses a wrong password with a clear error', async () => {
    const attempt = fetchAccessToken({ issuer, username: 'alice', password: 'not-her-password' });
    await expect(attempt).rejects.toBeInstanceOf(SignInError);
    await expect(attempt).rejects.toMatchObject({
      isInvalidCredentials: true,
      message: 'Sign-in refused for "alice": invalid username or password.',
    });
    const unknown = fetchAccessToken({ issuer, username: 'mallory', password: 'x' });
    await expect(unknown).rejects.toMatchObject({ isInvalidCredentials: true });
  });

  it('renders an accessible sign-in form, bound to its interaction cookie', async () => {
    const { url, cookie } = await openLoginPage();
    const page = await fetch(url, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<form method="post" action="\/interaction\/[\w-]+\/login"[^>]*>/);
    expect(html).toContain('<label for="username">Username</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain('autocomplete="current-password"');

    // A POST from another site arrives without the SameSite cookie: refused, nothing signed in.
    const forged = await fetch(new URL(`${url.pathname}/login`, issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password: passwordOf('alice') }),
      redirect: 'manual',
    });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('Sign-in expired');
  });

  it('makes the command-line client sign in again even when the browser has a session', async () => {
    const cookies = new Map<string, string>();
    const go = async (url: URL | string, init: RequestInit = {}) => {
      const response = await fetch(new URL(url, issuer), {
        ...init,
        redirect: 'manual',
        headers: {
          ...(init.headers as Record<string, string>),
          cookie: [...cookies].map((c) => c.join('=')).join('; '),
        },
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const [name = '', value = ''] = pair.split('=');
        cookies.set(name, value);
      }
      return response;
    };
    const authorize = (clientId: string, redirectUri: string) =>
      `/auth?${new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`;

    // Sign in to the web client: the browser now holds a session.
    const login = (await go(authorize('spawnit-web', 'http://127.0.0.1:5173/callback'))).headers.get(
      'location',
    );
    await go(login ?? '');
    const resume = await go(`${login}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password: passwordOf('alice') }).toString(),
    });
    const callback = await go(resume.headers.get('location') ?? '');
    expect(callback.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:5173\/callback\?code=/);

    // The same browser silently gets a code for the web client again...
    const again = await go(authorize('spawnit-web', 'http://127.0.0.1:5173/callback'));
    expect(again.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:5173\/callback\?code=/);
    // ...but the command-line client is sent to the sign-in form.
    const cli = await go(authorize(CLI_CLIENT_ID, 'http://127.0.0.1:45678/callback'));
    const page = await go(cli.headers.get('location') ?? '');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('autocomplete="current-password"');
  });

  it('keeps keys, users and issuer across a restart with the same dataDir', async () => {
    const before = await fetchAccessToken({ issuer, username: 'alice', password: passwordOf('alice') });
    await provider.stop();
    const restarted = await provider.start();
    expect(restarted.issuer).toBe(issuer);
    expect(restarted.createdUsers).toEqual([]);
    expect((await verify(before.accessToken)).payload.preferred_username).toBe('alice');

    const after = await fetchAccessToken({ issuer, username: 'alice', password: passwordOf('alice') });
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(decodeProtectedHeader(before.accessToken).kid);
    expect(decodeJwt(after.accessToken).sub).toBe(decodeJwt(before.accessToken).sub);
  });

  it('takes explicit users with roles, and issues expired tokens when the lifetime is short', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'spawnit-oidc-explicit-'));
    const other = createOidcProvider({
      dataDir: otherDir,
      accessTokenTtl: 1,
      audience: 'other-api',
      users: { carol: { password: 'carol-password', roles: ['spawnit-admin'] }, dave: 'dave-password' },
    });
    cleanup.push(() => rm(otherDir, { recursive: true, force: true }));
    const started = await other.start();
    cleanup.unshift(() => other.stop());
    expect(started.createdUsers).toEqual([]);
    expect(started.issuer).not.toBe(issuer);

    const tokens = await fetchAccessToken({
      issuer: started.issuer,
      username: 'carol',
      password: 'carol-password',
    });
    const { payload } = await jwtVerify(
      tokens.accessToken,
      createRemoteJWKSet(new URL(`${started.issuer}/jwks`)),
      {
        issuer: started.issuer,
        audience: 'other-api',
      },
    );
    expect(payload.roles).toEqual(['spawnit-admin']);
    // Real tokens for the API's negative tests: another audience, another issuer, then expired.
    await expect(verify(tokens.accessToken)).rejects.toThrow();
    await delay(2100);
    await expect(
      jwtVerify(tokens.accessToken, createRemoteJWKSet(new URL(`${started.issuer}/jwks`)), {
        issuer: started.issuer,
        audience: 'other-api',
      }),
    ).rejects.toBeInstanceOf(errors.JWTExpired);
  });
});

describe('runTokenCommand', () => {
  function io(env: Record<string, string | undefined>) {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: {
        env,
        stdout: { write: (text: string) => out.push(text) },
        stderr: { write: (text: string) => err.push(text) },
        readPassword: async () => passwordOf('admin'),
      },
    };
  }

  it('prints an access token for the user, asking for the password', async () => {
    const run = io({ SPAWNIT_OIDC_ISSUER: issuer });
    expect(await runTokenCommand(['admin'], run.io)).toBe(0);
    const [line] = run.out;
    expect(line).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect((await verify(line?.trim() ?? '')).payload.roles).toEqual(['spawnit-admin']);
  });

  it('fails with the reason, and with usage when arguments are missing', async () => {
    const wrong = io({ SPAWNIT_PASSWORD: 'wrong' });
    expect(await runTokenCommand(['alice', '--issuer', issuer], wrong.io)).toBe(1);
    expect(wrong.err.join('')).toContain('invalid username or password');

    const missing = io({});
    expect(await runTokenCommand(['alice'], missing.io)).toBe(2);
    expect(missing.err.join('')).toContain('Missing the issuer');
  });
});

describe('craftToken', () => {
  it('makes tokens the published keys do not verify', async () => {
    const claims = {
      iss: issuer,
      aud: 'spawnit-api',
      sub: 'someone',
      exp: Math.floor(Date.now() / 1000) + 60,
    };
    await expect(verify(await craftToken({ claims, alg: 'none' }))).rejects.toThrow();
    await expect(verify(await craftToken({ claims }))).rejects.toThrow();
  });
});
