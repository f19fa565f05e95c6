import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';
import { webApiAs } from '../support/web-api.js';

// When the API refuses a value of the service form, the form says so next to that field, calling the field
// by its label (never its key, "serviceId" or "message"), and keeps everything the user typed.

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-field-errors-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({ distDir: path.join(dir, 'dist') });
  const { gql } = await webApiAs(stack, 'alice');
  await gql(
    'mutation { createService(input: { serviceId: "taken", templateId: "echo", params: { message: "hi" } }) { __typename } }',
  );
  page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  page.setDefaultTimeout(20_000);
  await signInAt(page, `${stack.origin}/catalog/echo`, 'alice', USERS.alice);
  await page.getByRole('heading', { name: 'New Echo service' }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Fills the form as a user would, every kind of field. */
async function fillForm(serviceId: string) {
  await page.getByLabel('Service id').fill(serviceId);
  await page.getByLabel('Message').fill('hello there');
  await page.getByLabel('port').fill('2048');
  await page.getByLabel('password').fill('typed-secret');
  await page.getByLabel('fail').check();
}

async function expectFormAsTyped(serviceId: string) {
  await expect(page.getByLabel('Service id').inputValue()).resolves.toBe(serviceId);
  await expect(page.getByLabel('Message').inputValue()).resolves.toBe('hello there');
  await expect(page.getByLabel('port').inputValue()).resolves.toBe('2048');
  await expect(page.getByLabel('password').inputValue()).resolves.toBe('typed-secret');
  await expect(page.getByLabel('fail').isChecked()).resolves.toBe(true);
}

describe('the API refusing a value of the form', () => {
  it('shows a taken service id next to the Service id field, and keeps what was typed', async () => {
    await fillForm('taken');
    await page.getByRole('button', { name: 'Create service' }).click();
    const error = page.locator('#service-serviceId-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe(
      'Service "taken" already exists; choose another id or update it.',
    );
    await expect(page.getByLabel('Service id').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('The form was not saved');
    await expectFormAsTyped('taken');
  });

  it('names a template field by its label, not its key, in the field and in the summary', async () => {
    // The catalog changed since the page loaded (a shorter limit): only the API knows, and refuses.
    const message = stack.h.engine.catalog.get('echo')!.parameters.find((p) => p.name === 'message')!;
    const before = message.maxLength;
    message.maxLength = 5;
    try {
      await page.getByLabel('Service id').fill('fresh');
      await page.getByRole('button', { name: 'Create service' }).click();
      const error = page.locator('#param-message-error');
      await error.waitFor();
      await expect(error.textContent()).resolves.toBe('Message must be at most 5 characters long');
      const summaryLink = page.locator('.error-summary a[href="#param-message"]');
      await expect(summaryLink.textContent()).resolves.toBe('Message must be at most 5 characters long');
      await expect(page.locator('form').textContent()).resolves.not.toContain('(message)');
      await expect(page.locator('#service-serviceId-error').count()).resolves.toBe(0);
      await expectFormAsTyped('fresh');
      // The summary's link takes the user to the field.
      await summaryLink.click();
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('param-message');
    } finally {
      message.maxLength = before;
    }
  });

  it('saves once the value is fixed', async () => {
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByRole('heading', { name: 'fresh', level: 1 }).waitFor();
  });
});
