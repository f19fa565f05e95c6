import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { API_AUDIENCE, type Keycloak, ROLES_CLAIM, startKeycloak, WEB_CLIENT } from '../support/keycloak.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';

// The web UI in chromium against Keycloak: its real login page, the catalog, the renewal of a short-lived
// access token (60 s here) with the refresh token, a session ended in Keycloak's admin API, and the sign-out
// through Keycloak's end-session endpoint.

const LIFESPAN_SECONDS = 60;

let dir: string;
let keycloak: Keycloak;
let stack: WebStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-keycloak-'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // Keycloak first: slow to start, and its client must know the UI's origin.
  [keycloak] = await Promise.all([
    startKeycloak({ webOrigins: [origin], accessTokenLifespanSeconds: LIFESPAN_SECONDS }),
    buildWebUi(path.join(dir, 'dist')),
  ]);
  stack = await startWebStack({
    distDir: path.join(dir, 'dist'),
    port,
    oidc: { issuer: keycloak.issuer, clientId: WEB_CLIENT, audience: API_AUDIENCE, rolesClaim: ROLES_CLAIM },
  });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(20_000);
  const ours = () => page.url().startsWith(stack.origin);
  page.on('pageerror', (error) => ours() && pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && ours())
      pageErrors.push(`${message.text()} (${message.location().url})`);
  });
}, 360_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await keycloak?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The tokens oidc-client-ts keeps in this tab's sessionStorage. */
async function storedTokens(): Promise<{ access_token: string; expires_at: number } | undefined> {
  const raw = await page.evaluate(
    (key) => sessionStorage.getItem(key),
    `oidc.user:${keycloak.issuer}:${WEB_CLIENT}`,
  );
  return raw ? JSON.parse(raw) : undefined;
}

/** From the UI's sign-in page through Keycloak's login form, back to the UI. */
async function signIn(username: 'alice', password: string) {
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.href.startsWith(keycloak.issuer));
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('#kc-login').click();
  await page.waitForURL((url) => url.href.startsWith(stack.origin));
  await expect(page.locator('.username').textContent()).resolves.toBe(username);
}

describe('the web UI signed in with Keycloak', () => {
  it('signs in as alice on Keycloak’s login page and shows the catalog', async () => {
    await page.goto(`${stack.origin}/`);
    await signIn('alice', USERS.alice);
    const card = page.locator('.card', { hasText: 'Echo' });
    await card.waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    await page.getByText('You have no services yet.').waitFor();
  });

  it('renews the access token before it expires: the UI still works after the first token’s expiry', async () => {
    const first = await storedTokens();
    expect(first?.access_token).toBeTruthy();
    // Past the first token's expiry (the UI renews a quarter of the lifetime early).
    const wait = first!.expires_at * 1000 - Date.now() + 2_000;
    expect(wait).toBeLessThanOrEqual((LIFESPAN_SECONDS + 2) * 1000);
    await page.waitForTimeout(Math.max(0, wait));
    const renewed = await storedTokens();
    expect(renewed?.access_token).not.toBe(first!.access_token);
    expect(renewed!.expires_at * 1000).toBeGreaterThan(Date.now());
    // The pages ask the API with the renewed token.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
    await page.locator('.card', { hasText: 'Echo' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
    await page.getByText('You have no services yet.').waitFor();
    await expect(page.getByRole('button', { name: 'Sign in' }).count()).resolves.toBe(0);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('signs out through Keycloak and back to the UI; Keycloak asks for the password again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).origin).toBe(stack.origin);
    expect(await storedTokens()).toBeUndefined();
    // Keycloak's session is over: signing in shows its form again, instead of coming straight back.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#kc-login').waitFor();
    await page.goto(`${stack.origin}/`);
  });

  it('a session ended in Keycloak stops working at the next renewal: the UI asks to sign in', async () => {
    await signIn('alice', USERS.alice);
    await page.locator('.card', { hasText: 'Echo' }).waitFor();
    await keycloak.endSessions('alice');
    const notice = page.getByText('Your session was ended at the sign-in service. Sign in again to go on.');
    await notice.waitFor({ timeout: (LIFESPAN_SECONDS + 15) * 1000 });
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await storedTokens()).toBeUndefined();
  }, 120_000);
});
