import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { saveScreenshot } from '../support/screenshots.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';
import { webApiAs } from '../support/web-api.js';

// The run page as a person reads it: a running apply's elapsed time and "N of M resources" (from tofu's
// -json events), the log in words (never raw JSON).

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
  stack = await startWebStack({ distDir: path.join(dir, 'dist') });
  api = await webApiAs(stack, 'alice');
  await api.deployNetwork();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
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
  });
});

describe('the page', () => {
  it('raised no error', () => {
    expect(pageErrors).toEqual([]);
  });
});
