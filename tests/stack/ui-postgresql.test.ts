import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLIENTS_PREFIX } from '@spawnit/engine';
import { execa } from 'execa';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { dockerObjects, realEngineOptions } from '../support/real-stack.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';

// Once in a real browser on the real stack: PostgreSQL from its catalog card to a running database that psql
// reaches with the outputs the page shows. SPAWNIT_SCREENSHOTS=<dir> keeps a screenshot of each step.

const SCREENSHOTS = process.env.SPAWNIT_SCREENSHOTS;
let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
let port: number;
const pageErrors: string[] = [];

async function snap(name: string) {
  if (SCREENSHOTS)
    await page.screenshot({ path: path.join(SCREENSHOTS, `stack-${name}.png`), fullPage: true });
}

async function waitForJobState(state: string) {
  await page.locator('.job-meta .badge').first().filter({ hasText: state }).waitFor({ timeout: 300_000 });
}

/** The value an output row shows. */
async function outputValue(name: string): Promise<string> {
  const row = page
    .getByRole('region', { name: 'Outputs' })
    .getByRole('row', { name: new RegExp(`^${name}`) });
  return (await row.locator('.output-value').textContent())?.trim() ?? '';
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-stack-'));
  if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({
    distDir: path.join(dir, 'dist'),
    engine: realEngineOptions(),
  });
  port = await freePort();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(30_000);
  const ours = () => page.url().startsWith(stack.origin);
  page.on('pageerror', (error) => ours() && pageErrors.push(error.message));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (stack) {
    // Whatever the test reached, nothing stays in the tests' dockerd.
    const clientId = (await stack.h.engine.store.listFolders(CLIENTS_PREFIX))[0];
    if (clientId) {
      for (const ref of [
        { clientId, serviceId: 'db' },
        { kind: 'network', clientId, provider: 'local', networkName: 'default' } as const,
      ]) {
        if (await stack.h.engine.isDeployed(ref).catch(() => false)) await stack.h.engine.destroy(ref);
      }
    }
    await stack.close();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 300_000);

describe('PostgreSQL in chromium, on the real stack', () => {
  it('signs in and opens the PostgreSQL card', async () => {
    await signInAt(page, `${stack.origin}/`, 'alice', USERS.alice);
    const card = page.locator('.card', { hasText: 'PostgreSQL' });
    await card.waitFor();
    await snap('01-catalog');
    await card.getByRole('link', { name: 'PostgreSQL' }).click();
    await page.getByRole('heading', { name: 'New PostgreSQL service' }).waitFor();
  });

  it('creates the service and its network, plans and applies both', async () => {
    await page.getByLabel('Service id').fill('db');
    await page.getByLabel('Port').fill(String(port));
    await snap('02-form');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByRole('heading', { name: 'db', level: 1 }).waitFor();

    await expect(page.getByRole('button', { name: 'Plan', exact: true }).isDisabled()).resolves.toBe(true);
    await page.locator('#plan-blocked').getByRole('link', { name: 'Create the network “default”' }).click();
    await page.getByRole('button', { name: 'Create network' }).click();
    await page.getByRole('heading', { name: 'Network default' }).waitFor();
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    await waitForJobState('succeeded');
    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: /^Apply of network default/ }).waitFor();
    await waitForJobState('succeeded');

    await page.goto(`${stack.origin}/services/db`);
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    await page.getByRole('heading', { name: 'Plan of service db' }).waitFor();
    await waitForJobState('succeeded');
    const summary = page.getByRole('region', { name: 'Plan' });
    await expect(summary.locator('.count-add').textContent()).resolves.toBe('3 to add');
    await snap('03-plan');
    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await page
      .getByRole('dialog', { name: 'Apply this plan to service db?' })
      .getByRole('button', { name: 'Apply' })
      .click();
    await page.getByRole('heading', { name: 'Apply of service db' }).waitFor();
    await waitForJobState('succeeded');
    await page.getByRole('log').getByText('Apply complete! Resources: 3 added').waitFor();
  });

  it('shows the outputs; psql connects with them and runs a query', async () => {
    const outputs = page.getByRole('region', { name: 'Outputs' });
    await outputs.getByRole('button', { name: 'Reveal password' }).click();
    await outputs.getByRole('button', { name: 'Hide password' }).waitFor();
    await snap('04-outputs');
    const host = await outputValue('host');
    const shownPort = await outputValue('port');
    const database = await outputValue('database');
    const username = await outputValue('username');
    const password = await outputValue('password');
    expect(shownPort).toBe(String(port));
    expect(password).toMatch(/^.{24}$/);
    const psql = await execa(
      'psql',
      ['-h', host, '-p', shownPort, '-U', username, '-d', database, '-tAc', 'select 6 * 7'],
      { env: { PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' }, reject: false },
    );
    expect(psql.stderr).toBe('');
    expect(psql.stdout.trim()).toBe('42');
  });

  it('destroys it from the service page: no container left', async () => {
    await page.getByRole('link', { name: 'Open service db' }).click();
    await page.getByRole('button', { name: 'Destroy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Destroy db?' });
    await dialog.getByLabel('Type db to confirm').fill('db');
    await dialog.getByRole('button', { name: 'Destroy' }).click();
    await page.getByRole('heading', { name: 'Destroy of service db' }).waitFor();
    await waitForJobState('succeeded');
    expect(await dockerObjects('container', 'spawnit-')).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/-db$/)]),
    );
    expect(pageErrors).toEqual([]);
  });
});
