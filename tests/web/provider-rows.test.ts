import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { REPO_ROOT } from '../support/paths.js';
import { saveScreenshot } from '../support/screenshots.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';
import { webApiAs } from '../support/web-api.js';

// Only the rows that matter: a service on local Docker shows none of the template's AWS-only settings (region,
// instance type, SSH key, allowed addresses, disk), in its configuration, its edit form or the new-service
// form; an AWS service shows them. The shipped catalog says which ones are AWS-only (`providers: ["aws"]`).
// (Outputs need nothing: they are what the deployed module reports, so a local service has no AWS outputs.)

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
let awsOnly: string[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-provider-rows-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({
    distDir: path.join(dir, 'dist'),
    engine: { catalogDir: path.join(REPO_ROOT, 'catalog'), modulesDir: path.join(REPO_ROOT, 'modules') },
  });
  awsOnly = stack.h.engine.catalog
    .get('postgresql')!
    .parameters.filter((p) => p.providers?.length === 1 && p.providers[0] === 'aws')
    .map((p) => p.label ?? p.name);
  const { gql } = await webApiAs(stack, 'alice');
  for (const [id, provider] of [
    ['pg-local', 'LOCAL'],
    ['pg-aws', 'AWS'],
  ]) {
    const { createService } = await gql(
      `mutation { createService(input: { serviceId: "${id}", templateId: "postgresql", provider: ${provider} }) { __typename } }`,
    );
    expect(createService.__typename).toBe('Service');
  }
  page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  page.setDefaultTimeout(20_000);
  await signInAt(page, `${stack.origin}/services/pg-local`, 'alice', USERS.alice);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The row headers of the Configuration table. */
async function configRows(): Promise<string[]> {
  const config = page.getByRole('region', { name: 'Configuration' });
  await config.locator('tbody tr').first().waitFor();
  return (await config.locator('tbody th').allTextContents()).map((t) => t.trim());
}

/** The labels of the form's template fields. */
const formLabels = async () =>
  (await page.locator('form .field label').allTextContents()).map((t) => t.replace(' (required)', '').trim());

describe('a local service', () => {
  it('the catalog marks AWS-only settings', () => {
    expect(awsOnly).toEqual([
      'AWS region',
      'Instance type',
      'SSH key pair',
      'Allowed addresses',
      'Data disk (GB)',
    ]);
  });

  it('shows no AWS-only rows in its configuration', async () => {
    await page.getByRole('heading', { name: 'pg-local', level: 1 }).waitFor();
    const rows = await configRows();
    expect(rows).toEqual(['Version', 'Database name', 'User name', 'Password', 'Port']);
    await saveScreenshot(page, 'service-local-config', { fullPage: true });
  });

  it('shows no AWS-only fields in its edit form', async () => {
    await page.goto(`${stack.origin}/services/pg-local/edit`);
    await page.getByRole('heading', { name: 'Edit pg-local' }).waitFor();
    const labels = await formLabels();
    expect(labels).toContain('Port');
    for (const label of awsOnly) expect(labels).not.toContain(label);
  });

  it('the new-service form shows AWS-only fields only while AWS is chosen', async () => {
    await page.goto(`${stack.origin}/catalog/postgresql`);
    await page.getByLabel('Service id').waitFor();
    await expect(page.getByLabel('Provider').inputValue()).resolves.toBe('LOCAL');
    for (const label of awsOnly) expect(await formLabels()).not.toContain(label);
    await page.getByLabel('Provider').selectOption('AWS');
    await page.getByLabel('AWS region').waitFor();
    for (const label of awsOnly) expect(await formLabels()).toContain(label);
    await page.getByLabel('Provider').selectOption('LOCAL');
    await page.getByLabel('AWS region').waitFor({ state: 'detached' });
  });
});

describe('an AWS service', () => {
  it('shows its AWS settings', async () => {
    await page.goto(`${stack.origin}/services/pg-aws`);
    await page.getByRole('heading', { name: 'pg-aws', level: 1 }).waitFor();
    const rows = await configRows();
    for (const label of awsOnly) expect(rows).toContain(label);
    await expect(
      page
        .getByRole('region', { name: 'Configuration' })
        .getByRole('row', { name: /Instance type/ })
        .textContent(),
    ).resolves.toContain('t3.small');
  });
});
