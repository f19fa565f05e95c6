import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';
import { webApiAs } from '../support/web-api.js';

// Changing a deployed service's settings: the form starts from what is saved (a secret stays unsaid and kept),
// a refused value is named next to its field, and saving shows the plan of the change before anything runs.

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
let api: Awaited<ReturnType<typeof webApiAs>>;

async function revealedPassword(): Promise<string> {
  const { service } = await api.gql('{ service(id: "web") { outputs(reveal: true) { name value } } }');
  return service.outputs.find((o: { name: string }) => o.name === 'password').value;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-edit-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({ distDir: path.join(dir, 'dist') });
  api = await webApiAs(stack, 'alice');
  await api.deployNetwork();
  await api.gql(
    'mutation { createService(input: { serviceId: "web", templateId: "echo", params: { message: "first words", port: 8081 } }) { __typename } }',
  );
  await api.deployService('web');
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(20_000);
  await signInAt(page, `${stack.origin}/services/web`, 'alice', USERS.alice);
  await page.getByRole('heading', { name: 'web', level: 1 }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('editing a deployed service', () => {
  it('opens the form with the saved values; the secret field is empty', async () => {
    await page.getByRole('link', { name: 'Edit the settings of web' }).click();
    await page.getByRole('heading', { name: 'Edit web' }).waitFor();
    await expect(page.getByLabel('Message').inputValue()).resolves.toBe('first words');
    await expect(page.getByLabel('port').inputValue()).resolves.toBe('8081');
    await expect(page.getByLabel('password').inputValue()).resolves.toBe('');
  });

  it('names a refused value next to its field and saves nothing', async () => {
    const before = (await api.gql('{ service(id: "web") { params updatedAt } }')).service;
    await page.getByLabel('port').fill('80');
    // The form checks the template's rules itself, in the API's words, and sends nothing.
    await page.getByRole('button', { name: 'Save and plan' }).click();
    await expect(page.locator('#param-port-error').textContent()).resolves.toContain('must be at least 1024');
    expect((await api.gql('{ service(id: "web") { params updatedAt } }')).service).toEqual(before);
  });

  it('saves the change and shows its plan; applying it keeps the secret', async () => {
    const password = await revealedPassword();
    await page.getByLabel('port').fill('8082');
    await page.getByLabel('Message').fill('second words');
    await page.getByRole('button', { name: 'Save and plan' }).click();
    await page.getByRole('heading', { name: 'Plan of service web' }).waitFor();
    await page
      .locator('.job-meta .badge')
      .first()
      .filter({ hasText: 'succeeded' })
      .waitFor({ timeout: 60_000 });
    const summary = page.getByRole('region', { name: 'Plan' });
    await expect(summary.getByRole('list', { name: 'Resources' }).textContent()).resolves.toContain(
      'module.this.terraform_data.this',
    );
    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await page
      .locator('.job-meta .badge')
      .first()
      .filter({ hasText: 'succeeded' })
      .waitFor({ timeout: 60_000 });
    await page.getByRole('region', { name: 'Outputs' }).getByText('second words').waitFor();
    expect(await revealedPassword()).toBe(password);
    const { service } = await api.gql('{ service(id: "web") { params } }');
    expect(service.params).toMatchObject({ message: 'second words', port: 8082 });
  });
});
