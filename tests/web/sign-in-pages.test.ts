import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium } from '../support/browser.js';
import { saveScreenshot } from '../support/screenshots.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';

// The embedded provider's pages look like the app (its header, colours and buttons), label their fields, keep
// the username after a wrong password and say what to do; signing out asks in the same look, lands back in
// the app, and the app says "Signed out" once.

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
let appButtonColour: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-sign-in-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({ distDir: path.join(dir, 'dist') });
  page = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
  page.setDefaultTimeout(20_000);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const backgroundOf = (selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((e) => getComputedStyle(e).backgroundColor);

describe('the embedded provider’s pages', () => {
  it('the sign-in page wears the app’s look and labels its fields', async () => {
    await page.goto(`${stack.origin}/`);
    const signIn = page.getByRole('button', { name: 'Sign in' });
    await signIn.waitFor();
    appButtonColour = await backgroundOf('.button-primary');
    const appBackground = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await signIn.click();
    await page.getByRole('heading', { name: 'Sign in to SpawnIt' }).waitFor();
    expect(new URL(page.url()).origin).toBe(stack.oidc!.issuer);
    await expect(page.locator('.site-header .brand').textContent()).resolves.toBe('SpawnIt');
    await expect(backgroundOf('button[type="submit"]')).resolves.toBe(appButtonColour);
    await expect(page.evaluate(() => getComputedStyle(document.body).backgroundColor)).resolves.toBe(
      appBackground,
    );
    await expect(page.getByLabel('Username').getAttribute('autocomplete')).resolves.toBe('username');
    await expect(page.getByLabel('Password').getAttribute('type')).resolves.toBe('password');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('username');
  });

  it('a wrong password says so, keeps the username and puts the focus on the password', async () => {
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('not-her-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toBe('Wrong username or password. Check both and try again.');
    await expect(page.getByLabel('Username').inputValue()).resolves.toBe('alice');
    await expect(page.getByLabel('Password').inputValue()).resolves.toBe('');
    await expect(page.getByLabel('Password').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('password');
    await saveScreenshot(page, 'sign-in-error');
    await page.getByLabel('Password').fill(USERS.alice);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(new URL(page.url()).origin).toBe(stack.origin);
  });

  it('signing out asks in the app’s look, then the app says "Signed out"', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign out of SpawnIt?' }).waitFor();
    await expect(page.locator('.site-header .brand').textContent()).resolves.toBe('SpawnIt');
    await expect(backgroundOf('button[name="logout"]')).resolves.toBe(appButtonColour);
    await page.getByRole('button', { name: 'No, stay signed in' }).waitFor();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    const toast = page.locator('.toast', { hasText: 'Signed out' });
    await toast.waitFor();
    expect(new URL(page.url()).origin).toBe(stack.origin);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect(page.getByRole('status').filter({ hasText: 'Signed out' }).count()).resolves.toBe(1);
    // Once: a reload says nothing more.
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect(page.locator('.toast').count()).resolves.toBe(0);
  });

  it('a sign-in that cannot go on says why and what to do, in the same look', async () => {
    await page.goto(`${stack.oidc!.issuer}/auth?client_id=nobody&response_type=code&scope=openid`);
    await page.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toContain(
      'Go back to SpawnIt and sign in again.',
    );
    await expect(page.locator('.site-header .brand').textContent()).resolves.toBe('SpawnIt');
  });
});
