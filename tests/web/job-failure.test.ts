import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { saveScreenshot } from '../support/screenshots.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';
import { webApiAs } from '../support/web-api.js';

// A failed job as a person reads it: one sentence (the module's own words, never tofu's "Error:", file and
// line, code or box-drawing), what to do, and the retry (plan again); tofu's raw output stays in the log,
// one click away. Real tofu fails for real: the echo fixture's precondition (`fail = true`) fails a plan,
// and a file removed between plan and apply fails the apply.

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
let api: Awaited<ReturnType<typeof webApiAs>>;
let failedPlanUrl: string;
const pageErrors: string[] = [];

// What must never reach the sentence: tofu's chrome and the code it quotes.
const RAW = /[│╷╵├─]|Error:|\bline \d+\b|var\.params|\\n/;

const jobBadge = (state: string) =>
  page.locator('.job-meta .badge').first().filter({ hasText: state }).waitFor({ timeout: 90_000 });
const failure = () => page.locator('.job-failure');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-failure-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({ distDir: path.join(dir, 'dist') });
  api = await webApiAs(stack, 'alice');
  await api.deployNetwork();
  await api.gql(
    'mutation { createService(input: { serviceId: "flaky", templateId: "echo", params: { message: "hi", fail: true } }) { __typename } }',
  );
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await signInAt(page, `${stack.origin}/services/flaky`, 'alice', USERS.alice);
  await page.getByRole('heading', { name: 'flaky', level: 1 }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a failed plan', () => {
  it('says why in one sentence, what to do, and offers Plan again and the full output', async () => {
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    await page.waitForURL(/\/jobs\/[^/]+$/);
    await jobBadge('failed');
    failedPlanUrl = page.url();
    const alert = failure();
    await expect(alert.getAttribute('role')).resolves.toBe('alert');
    await expect(alert.locator('.job-failure-reason').textContent()).resolves.toBe(
      'The plan of service "flaky" failed: The fixture was asked to fail (params.fail = true).',
    );
    await expect(alert.locator('.job-failure-advice').textContent()).resolves.toBe(
      'Nothing was changed. Fix what the message says (often a setting of the service), then plan again.',
    );
    expect(await alert.locator('.job-failure-reason').textContent()).not.toMatch(RAW);
    await expect(alert.getByRole('button', { name: 'Plan again' }).isEnabled()).resolves.toBe(true);

    // The raw text is in the log, whole: tofu's summary, the code line and the value it found.
    const log = page.locator('#job-log');
    await log.getByText('Error: Resource precondition failed').waitFor();
    await log.getByText('var.params.fail is true').waitFor();
    await saveScreenshot(page, 'job-failed');

    await alert.getByRole('link', { name: 'Tofu’s full output in the log' }).click();
    await page.waitForFunction(() => document.activeElement?.id === 'job-log');
    const box = await log.boundingBox();
    expect(box && box.y < 900).toBe(true);
  });

  it('leads the service page too: the sentence, Plan again, and the way to the log', async () => {
    await page.goto(`${stack.origin}/services/flaky`);
    const alert = failure();
    await expect(alert.locator('.job-failure-reason').textContent()).resolves.toBe(
      'The plan of service "flaky" failed: The fixture was asked to fail (params.fail = true).',
    );
    await saveScreenshot(page, 'service-failed');
    await expect(alert.getByRole('link', { name: 'Edit the settings' }).getAttribute('href')).resolves.toBe(
      '/services/flaky/edit',
    );
    await alert.getByRole('link', { name: 'Tofu’s full output in the log' }).click();
    await page.waitForURL(`${failedPlanUrl}#job-log`);
    await page.waitForFunction(() => document.activeElement?.id === 'job-log');

    // Plan again from the service page: a new plan, which fails again for the same reason (still `fail`).
    await page.goto(`${stack.origin}/services/flaky`);
    await failure().getByRole('button', { name: 'Plan again' }).click();
    await page.waitForURL((url) => /\/jobs\/[^/]+$/.test(url.pathname) && url.href !== failedPlanUrl);
    await jobBadge('failed');
    await expect(failure().locator('.job-failure-reason').textContent()).resolves.toBe(
      'The plan of service "flaky" failed: The fixture was asked to fail (params.fail = true).',
    );
  });

  it('plans again with one click once the cause is fixed, and the new plan can be applied', async () => {
    await api.gql(
      'mutation { updateService(id: "flaky", params: { message: "hi", fail: false }) { __typename } }',
    );
    await page.goto(failedPlanUrl);
    await jobBadge('failed');
    await failure().getByRole('button', { name: 'Plan again' }).click();
    await page.waitForURL((url) => /\/jobs\/[^/]+$/.test(url.pathname) && url.href !== failedPlanUrl);
    await jobBadge('succeeded');
    await page.getByRole('button', { name: 'Apply this plan' }).waitFor();
    await expect(failure().count()).resolves.toBe(0);
  });
});

describe('a failed apply', () => {
  it('says why from tofu’s JSON diagnostics, that part may have run, and plans again', async () => {
    // The plan reads the file; the apply reads it again and finds it gone.
    const watched = path.join(dir, 'watched.txt');
    await writeFile(watched, 'v1');
    await api.gql(
      'mutation ($p: JSON!) { createService(input: { serviceId: "gone", templateId: "echo", params: $p }) { __typename } }',
      { p: { message: 'hi', watch_file: watched } },
    );
    const plan = (await api.gql('mutation { planService(id: "gone") { id } }')).planService.id;
    expect(await api.settle(plan)).toBe('SUCCEEDED');
    await rm(watched);
    await page.goto(`${stack.origin}/jobs/${plan}`);
    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(plan));
    await jobBadge('failed');
    const reason = await failure().locator('.job-failure-reason').textContent();
    expect(reason).toBe(
      `The apply of service "gone" failed: Invalid function argument: Invalid value for "path" parameter: no file exists at "${watched}".`,
    );
    await expect(failure().locator('.job-failure-advice').textContent()).resolves.toMatch(
      /^Part of the apply may have run: the state keeps what was done\. Fix what the message says, then plan again/,
    );
    // The log keeps tofu's words whole, the long explanation the sentence cut included.
    await page.locator('#job-log').getByText('Error: Invalid function argument').waitFor();
    await page
      .locator('#job-log')
      .getByText(/obtain this result from an attribute of that resource/)
      .first()
      .waitFor();

    // The service page leads with the same failure and its retry.
    const applyUrl = page.url();
    await page.goto(`${stack.origin}/services/gone`);
    await expect(failure().locator('.job-failure-reason').textContent()).resolves.toBe(reason);
    await failure().getByRole('link', { name: 'Tofu’s full output in the log' }).click();
    await page.waitForURL(`${applyUrl}#job-log`);

    await writeFile(watched, 'v2');
    await failure().getByRole('button', { name: 'Plan again' }).click();
    await page.waitForURL((url) => url.href !== applyUrl);
    await jobBadge('succeeded');
    await page.getByRole('button', { name: 'Apply this plan' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});

describe('a failed destroy', () => {
  it('says why, and destroys again once the same confirmation is typed', async () => {
    // Deployed with a file it reads; the destroy's plan reads it again and finds it gone.
    const watched = path.join(dir, 'kept.txt');
    await writeFile(watched, 'v1');
    await api.gql(
      'mutation ($p: JSON!) { createService(input: { serviceId: "stuck", templateId: "echo", params: $p }) { __typename } }',
      { p: { message: 'hi', watch_file: watched } },
    );
    await api.deployService('stuck');
    await rm(watched);
    const destroy = (await api.gql('mutation { destroyService(id: "stuck") { id } }')).destroyService.id;
    expect(await api.settle(destroy)).toBe('FAILED');
    await page.goto(`${stack.origin}/jobs/${destroy}`);
    await jobBadge('failed');
    await expect(failure().locator('.job-failure-reason').textContent()).resolves.toBe(
      `The destroy plan of service "stuck" failed: Invalid function argument: Invalid value for "path" parameter: no file exists at "${watched}".`,
    );
    // Its plan failed: tofu removed nothing, and the advice says so.
    await expect(failure().locator('.job-failure-advice').textContent()).resolves.toBe(
      'Nothing was changed. Fix what the message says, then destroy again.',
    );
    await expect(failure().getByRole('link', { name: 'Edit the settings' }).count()).resolves.toBe(0);

    await writeFile(watched, 'v1');
    await failure().getByRole('button', { name: 'Destroy again' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Destroy' });
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await dialog.getByRole('textbox').fill('stuck');
    await confirm.click();
    await page.waitForURL((url) => !url.pathname.endsWith(destroy));
    await jobBadge('succeeded');
    await page.locator('.notice-success').filter({ hasText: 'Destroyed.' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
