import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDriftLoop, targetKeyOf } from '@spawnit/engine';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { waitFor } from '../support/gate.js';
import { saveScreenshot } from '../support/screenshots.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';
import { webApiAs } from '../support/web-api.js';

// The run page as a person reads it: a running apply's elapsed time and "N of M resources" (from tofu's
// -json events), the log in words (never raw JSON); the plan's diff, attribute by attribute, collapsed by
// resource, sensitive values masked and unknown ones "known after apply"; drift shown as that diff, with
// one-click reconcile; the log in tofu's colours (styled spans, never escape codes), searched, copied and
// downloaded; outputs copied.

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
let api: Awaited<ReturnType<typeof webApiAs>>;
const pageErrors: string[] = [];

const jobBadge = (state: string) =>
  page.locator('.job-meta .badge').first().filter({ hasText: state }).waitFor({ timeout: 90_000 });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-run-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  // Colours kept, as `pnpm start` keeps them: the log view draws them.
  stack = await startWebStack({ distDir: path.join(dir, 'dist'), engine: { color: true } });
  api = await webApiAs(stack, 'alice');
  await api.deployNetwork();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signInAt(page, `${stack.origin}/services`, 'alice', USERS.alice);
  await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a running apply', () => {
  it('shows its elapsed time and resources done of those planned, then what changed', async () => {
    // Five resources: four are done at once, the fifth sleeps, so "4 of 5" stays on screen for a while.
    await api.gql(
      'mutation { createService(input: { serviceId: "busy", templateId: "echo", params: { message: "hi", sleep_seconds: 8, extra_resources: 3 } }) { __typename } }',
    );
    const plan = (await api.gql('mutation { planService(id: "busy") { id } }')).planService.id;
    expect(await api.settle(plan)).toBe('SUCCEEDED');
    await page.goto(`${stack.origin}/jobs/${plan}`);
    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: 'Apply of service busy' }).waitFor();
    const progress = page.getByRole('region', { name: 'Progress' });
    await progress.getByText('4 of 5 resources').waitFor({ timeout: 60_000 });
    await expect(progress.getByRole('progressbar').getAttribute('value')).resolves.toBe('4');
    await expect(progress.locator('.elapsed').textContent()).resolves.toMatch(/^Running for \d+ s$/);
    // The clock ticks while it runs.
    const before = await progress.locator('time').textContent();
    await page.waitForFunction(
      (shown) => document.querySelector('.job-progress time')?.textContent !== shown,
      before,
    );
    await saveScreenshot(page, 'running-job');
    await jobBadge('succeeded');
    await page.getByText('5 of 5 resources changed.').waitFor();
    const log = page.getByRole('log');
    await log.getByText('Apply complete! Resources: 5 added, 0 changed, 0 destroyed.').waitFor();
    await log.getByText(/terraform_data\.slow\[0\]: Creation complete after \d+s/).waitFor();
    await expect(log.textContent()).resolves.not.toContain('"@level"');
    // Outputs get copy buttons.
    const outputs = page.getByRole('region', { name: 'Outputs' });
    await outputs.getByRole('button', { name: 'Copy greeting' }).click();
    await outputs.getByRole('button', { name: 'Copy greeting' }).getByText('Copied').waitFor();
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('hi');
  });
});

describe('the plan page', () => {
  it('shows each resource collapsed, and opened, its attributes before -> after', async () => {
    await api.gql(
      'mutation { createService(input: { serviceId: "diffy", templateId: "echo", params: { message: "one" } }) { __typename } }',
    );
    await api.deployService('diffy');
    await api.gql(
      'mutation { updateService(id: "diffy", params: { message: "two", password: "a-brand-new-secret-42" }) { __typename } }',
    );
    const plan = (await api.gql('mutation { planService(id: "diffy") { id } }')).planService.id;
    expect(await api.settle(plan)).toBe('SUCCEEDED');
    await page.goto(`${stack.origin}/jobs/${plan}`);
    const summary = page.getByRole('region', { name: 'Plan' });
    await expect(summary.locator('.count-change').textContent()).resolves.toBe('1 to change');
    const resource = summary.getByRole('list', { name: 'Resources' }).locator('details').first();
    // Collapsed: one line with the action, the address and how many attributes change.
    await expect(resource.getAttribute('open')).resolves.toBeNull();
    await expect(resource.locator('summary').textContent()).resolves.toMatch(
      /^update module\.this\.terraform_data\.this \d+ attributes$/,
    );
    await resource.locator('summary').click();
    const row = (path: string) =>
      resource.getByRole('row').filter({ has: page.getByRole('rowheader', { name: path }) });
    await expect(row('input.message').textContent()).resolves.toBe('input.message"one"→"two"');
    // terraform_data's output is computed again: known after apply.
    await expect(row('output').locator('.diff-after').textContent()).resolves.toBe('(known after apply)');
    // The password output is sensitive: masked on both sides, and its value is nowhere on the page.
    const outputs = summary.getByRole('list', { name: 'Outputs' });
    await outputs.locator('summary', { hasText: 'output.password' }).click();
    await expect(
      outputs
        .getByRole('row')
        .filter({ hasText: 'value' })
        .filter({ hasText: 'sensitive' })
        .first()
        .textContent(),
    ).resolves.toBe('value(sensitive value)→(sensitive value)');
    await expect(page.locator('body').textContent()).resolves.not.toContain('a-brand-new-secret-42');
    await saveScreenshot(page, 'plan-diff', { fullPage: true });
    // Expand all opens every resource; collapse all closes them.
    await summary.getByRole('button', { name: 'Expand all' }).click();
    await expect(summary.locator('details:not([open])').count()).resolves.toBe(0);
    await summary.getByRole('button', { name: 'Collapse all' }).click();
    await expect(summary.locator('details[open]').count()).resolves.toBe(0);
  });
});

describe('the log', () => {
  it('draws tofu’s colours as styled text, and is searched, copied and downloaded as plain text', async () => {
    // The plan of "diffy" from the test before.
    const log = page.getByRole('log', { name: 'Job log' });
    await log.getByText('Plan: 0 to add, 1 to change, 0 to destroy.').waitFor();
    await expect(log.locator('.ansi-bold', { hasText: 'Plan:' }).count()).resolves.toBeGreaterThan(0);
    await expect(log.locator('[class*="ansi-fg-"]').count()).resolves.toBeGreaterThan(0);
    const drawn = await log.textContent();
    expect(drawn).not.toContain('\u001b');
    expect(drawn).not.toMatch(/\[\d+m/);
    // No element of the log holds HTML made from its text.
    await expect(log.locator('script, img, a').count()).resolves.toBe(0);

    const search = page.getByRole('searchbox', { name: 'Search the log' });
    await search.fill('known after apply');
    const status = page.locator('.log-tools [role="status"]');
    await expect(status.textContent()).resolves.toMatch(/^1 of (\d+) lines$/);
    const total = Number(/of (\d+)/.exec((await status.textContent()) ?? '')![1]);
    expect(total).toBeGreaterThan(1);
    await expect(log.locator('mark').count()).resolves.toBe(total);
    await search.press('Enter');
    await expect(status.textContent()).resolves.toBe(`2 of ${total} lines`);
    await page.getByRole('button', { name: 'Previous match' }).click();
    await page.getByRole('button', { name: 'Previous match' }).click();
    await expect(status.textContent()).resolves.toBe(`${total} of ${total} lines`);
    await search.fill('no such words anywhere');
    await expect(status.textContent()).resolves.toBe('No match');
    await search.fill('');

    await page.getByRole('button', { name: 'Copy the log' }).click();
    await page.getByRole('button', { name: 'Copy the log' }).getByText('Copied').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expect(copied).not.toContain('\u001b');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the log' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^spawnit-job-[0-9a-f-]{36}\.log$/);
    const file = await readFile((await download.path())!, 'utf8');
    expect(file).toBe(copied);
  });
});

describe('drift', () => {
  it('shows what changed outside SpawnIt as a diff, and reconciles in one click', async () => {
    const watched = path.join(dir, 'watched.txt');
    await writeFile(watched, 'as deployed');
    await api.gql(
      'mutation ($file: JSON!) { createService(input: { serviceId: "drifty", templateId: "echo", params: $file }) { __typename } }',
      { file: { message: 'hi', watch_file: watched } },
    );
    await api.deployService('drifty');
    // Someone changes the file outside SpawnIt; the drift check finds it.
    await writeFile(watched, 'changed by hand');
    const loop = createDriftLoop({
      engine: stack.h.engine,
      operations: stack.operations,
      intervalMs: 60_000,
    });
    // The apply's job says it ended a moment before it lets go of the service, and a drift pass skips a
    // service a job holds: the check must find it free.
    const { index } = stack.h.engine;
    const owners = await index.services(
      (await index.clients()).map((clientId) => ({ clientId, serviceId: 'drifty' })),
    );
    const clientId = owners.find((entry) => entry !== undefined)!.clientId;
    const key = targetKeyOf({ kind: 'service', clientId, serviceId: 'drifty' });
    await waitFor(() => !stack.operations.lock.isBusy(key), 'the apply to let go of drifty', 10_000);
    await loop.runOnce();
    expect(
      (await stack.operations.serviceStatus(clientId, 'drifty'))?.status,
      'the drift check of drifty',
    ).toBe('drifted');
    await page.goto(`${stack.origin}/services/drifty`);
    const drift = page.getByRole('region', { name: 'Changed outside SpawnIt' });
    const resource = drift.getByRole('list', { name: 'What reconciling changes' }).locator('details').first();
    await resource.locator('summary').click();
    await expect(
      resource
        .getByRole('row')
        .filter({ has: page.getByRole('rowheader', { name: 'input.watched' }) })
        .textContent(),
    ).resolves.toBe('input.watched"as deployed"→"changed by hand"');
    await saveScreenshot(page, 'drift');
    await drift.getByRole('button', { name: 'Reconcile' }).click();
    // The plan runs, then its apply starts by itself.
    await page.getByRole('heading', { name: 'Plan of service drifty' }).waitFor();
    await page.getByText('Reconciling: this plan puts back what SpawnIt configured').waitFor();
    await page.getByRole('heading', { name: 'Apply of service drifty' }).waitFor({ timeout: 60_000 });
    await jobBadge('succeeded');
    await loop.runOnce();
    await page.goto(`${stack.origin}/services/drifty`);
    await page.getByRole('heading', { name: 'drifty', level: 1 }).waitFor();
    await expect(page.getByRole('region', { name: 'Changed outside SpawnIt' }).count()).resolves.toBe(0);
    await loop.stop();
  });
});

describe('words and small screens', () => {
  it('says "in sync" or "changed outside SpawnIt", with the technical term in a tooltip', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${stack.origin}/services`);
    const badge = (id: string) => page.getByRole('row').filter({ hasText: id }).locator('.badge');
    await badge('busy')
      .filter({ hasText: /^in sync$/ })
      .waitFor();
    await expect(badge('busy').getAttribute('title')).resolves.toMatch(/^compliant: /);
    // drifty was reconciled; make it drift again, for the drift check to find.
    await writeFile(path.join(dir, 'watched.txt'), 'changed by hand, again');
    const loop = createDriftLoop({
      engine: stack.h.engine,
      operations: stack.operations,
      intervalMs: 60_000,
    });
    await loop.runOnce();
    await loop.stop();
    await badge('drifty')
      .filter({ hasText: /^changed outside SpawnIt$/ })
      .waitFor();
    await expect(badge('drifty').getAttribute('title')).resolves.toMatch(/^drifted: /);
  });

  it('keeps wide tables scrolling inside their box on a small screen', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    for (const address of ['/jobs', '/services']) {
      await page.goto(`${stack.origin}${address}`);
      const box = page.locator('.table-scroll').first();
      await box.locator('tbody tr').first().waitFor();
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        view: window.innerWidth,
      }));
      expect(widths.page, `${address} scrolls sideways`).toBeLessThanOrEqual(widths.view);
      await expect(
        box.evaluate((el) => el.scrollWidth > el.clientWidth),
        `${address}: the table scrolls in its box`,
      ).resolves.toBe(true);
    }
    await saveScreenshot(page, 'services-small-screen');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('says with a toast that a deleted service is gone, with its history', async () => {
    await api.gql(
      'mutation { createService(input: { serviceId: "short-lived", templateId: "echo", params: { message: "bye" } }) { __typename } }',
    );
    await page.goto(`${stack.origin}/services/short-lived`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
    const toast = page.locator('.toast', { hasText: 'Deleted short-lived, with its job history.' });
    await toast.waitFor();
    await toast.getByRole('button', { name: 'Dismiss' }).click();
    await expect(toast.count()).resolves.toBe(0);
  });
});

describe('the page', () => {
  it('raised no error', () => {
    expect(pageErrors).toEqual([]);
  });
});
