import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertServiceId, ValidationError, validateParams } from '@spawnit/engine';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { saveScreenshot } from '../support/screenshots.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';

// The template's rules (required, pattern, min/max, length) show next to each field as the user leaves it and
// then as they type, in the API's own words, with no browser bubble; while something is wrong the submit
// button says what, and a click sends nothing.

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
const sent: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-hints-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({ distDir: path.join(dir, 'dist') });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 1100 } })).newPage();
  page.setDefaultTimeout(20_000);
  page.on('request', (request) => {
    const body = request.postData() ?? '';
    if (/mutation (CreateService|CreateNetwork)/.test(body)) sent.push(body);
  });
  await signInAt(page, `${stack.origin}/catalog/echo`, 'alice', USERS.alice);
  await page.getByRole('heading', { name: 'New Echo service' }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The API's words for these values, with the label for the key as the form shows them. */
function apiMessages(params: Record<string, unknown>): Record<string, string> {
  const template = stack.h.engine.catalog.get('echo')!;
  try {
    validateParams(template, params, { provider: 'local' });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return Object.fromEntries(
      error.fieldErrors.map((e) => {
        const label = template.parameters.find((p) => p.name === e.field)?.label ?? e.field;
        return [e.field, e.message.replace(`${label} (${e.field})`, label)];
      }),
    );
  }
  throw new Error('The API accepted these values');
}

const errorOf = (id: string) => page.locator(`#${id}-error`);

describe('validation hints on the service form', () => {
  it('shows nothing before the user has been at a field, and the form has no browser bubbles', async () => {
    await expect(page.locator('.field-error').count()).resolves.toBe(0);
    await expect(page.locator('form').getAttribute('novalidate')).resolves.not.toBeNull();
    await page.getByRole('button', { name: 'Create service' }).waitFor();
  });

  it('says each field’s rules under it before anything is wrong', async () => {
    await expect(page.locator('#param-port-hint').textContent()).resolves.toBe(
      'A port. A whole number from 1024 to 65535.',
    );
    await expect(page.locator('#param-message-hint').textContent()).resolves.toBe(
      'What to say. Up to 200 characters.',
    );
  });

  it('shows a field’s problem when the user leaves it, in the API’s words', async () => {
    await page.getByLabel('Service id').fill('My_Echo');
    await page.getByLabel('Service id').press('Tab');
    let expected = '';
    try {
      assertServiceId('My_Echo');
    } catch (error) {
      expected = (error as Error).message.replace(/^serviceId/, 'Service id');
    }
    await expect(errorOf('service-serviceId').textContent()).resolves.toBe(expected);
    await expect(page.getByLabel('Service id').getAttribute('aria-invalid')).resolves.toBe('true');

    await page.getByLabel('Message').focus();
    await page.getByLabel('Message').press('Tab');
    await page.getByLabel('port').fill('70000');
    await page.getByLabel('port').press('Tab');
    const api = apiMessages({ port: 70_000 });
    await expect(errorOf('param-message').textContent()).resolves.toBe(api.message);
    await expect(errorOf('param-port').textContent()).resolves.toBe(api.port);
    expect(api.port).toBe('port must be at most 65535');
    // A field the user has not been at says nothing yet.
    await expect(errorOf('param-sleep_seconds').count()).resolves.toBe(0);
  });

  it('follows what the user types once shown', async () => {
    await page.getByLabel('port').fill('1500.5');
    await expect(errorOf('param-port').textContent()).resolves.toBe('port must be a whole number');
    await page.getByLabel('port').fill('80');
    await expect(errorOf('param-port').textContent()).resolves.toBe(apiMessages({ port: 80 }).port);
  });

  it('has the submit button say what is wrong, and a click sends nothing', async () => {
    const button = page.locator('form button[type="submit"]');
    await expect(button.textContent()).resolves.toBe('Fix 3 fields first');
    await saveScreenshot(page, 'validation-hints', { fullPage: true });
    await button.click();
    const summary = page.getByRole('alert').filter({ hasText: 'The form was not saved' });
    await summary.waitFor();
    await expect(summary.getByRole('link').count()).resolves.toBe(3);
    await expect(
      page.evaluate(() => document.activeElement?.classList.contains('error-summary')),
    ).resolves.toBe(true);
    expect(sent).toEqual([]);
  });

  it('sends once every field is fine, and the button says so again', async () => {
    await page.getByLabel('Service id').fill('echo-ok');
    await page.getByLabel('Message').fill('hello');
    await expect(page.locator('form button[type="submit"]').textContent()).resolves.toBe('Fix port first');
    await page.getByLabel('port').fill('2048');
    await expect(page.locator('.field-error').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByRole('heading', { name: 'echo-ok', level: 1 }).waitFor();
    expect(sent).toHaveLength(1);
  });
});

describe('validation hints on the network form', () => {
  it('checks the name as the API does before sending', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Networks' }).click();
    await page.getByLabel('Name').fill('Bad Name');
    await page.getByLabel('Name').press('Tab');
    await expect(errorOf('network-networkName').textContent()).resolves.toContain(
      'Name "Bad Name" is not valid',
    );
    await expect(page.locator('form button[type="submit"]').textContent()).resolves.toBe('Fix Name first');
    await page.locator('form button[type="submit"]').click();
    expect(sent).toHaveLength(1);
    await page.getByLabel('Name').fill('good-name');
    await page.getByRole('button', { name: 'Create network' }).click();
    await page.getByRole('heading', { name: 'Network good-name', level: 1 }).waitFor();
    expect(sent).toHaveLength(2);
  });
});
