import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDriftLoop } from '@spawnit/engine';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { createWalk, descriptionOf, diffRow, openWalkPage } from '../support/first-hour.js';
import { saveScreenshot } from '../support/screenshots.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';

// The first hour of a new user, in one go, on the deployable fixture template (echo): sign in, pick a
// template in the catalog, fill its form with one mistake (explained, then fixed), create a network inline,
// plan and read the diff, apply and watch the progress, copy an output, edit a parameter and plan/apply the
// change, see drift (a file changed outside SpawnIt) and reconcile it, cancel an apply after confirming, open
// the jobs page, destroy, delete, sign out. Only roles and labels are used, as a person finds things.

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const { step, jobState, applyThePlan, printTimings } = createWalk(() => page);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-first-hour-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({ distDir: path.join(dir, 'dist') });
  // Errors of the UI's pages; the provider's pages are not ours to judge.
  page = await openWalkPage(browser, stack.origin, pageErrors, 20_000);
}, 300_000);

afterAll(async () => {
  printTimings('first hour');
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the first hour', () => {
  it('walks from signing in to signing out, on the deployable fixture', async () => {
    // The fixture deploys a file's content: changing the file outside SpawnIt is how it drifts.
    const watched = path.join(dir, 'watched.txt');
    await writeFile(watched, 'as deployed');

    await step('sign in', async () => {
      await signInAt(page, `${stack.origin}/`, 'alice', USERS.alice);
      await page.getByRole('heading', { name: 'Catalog', level: 1 }).waitFor();
    });

    await step('pick a template in the catalog', async () => {
      await page.getByRole('searchbox', { name: 'Search' }).fill('echo');
      await page.getByRole('link', { name: 'Echo' }).click();
      await page.getByRole('heading', { name: 'New Echo service' }).waitFor();
    });

    await step('fill the form with one mistake, see it explained, fix it', async () => {
      const serviceId = page.getByLabel('Service id');
      await serviceId.fill('My First App');
      await page.getByLabel('Message').fill('hello, first hour');
      await page.getByLabel('watch_file').fill(watched);
      // A slow step: the apply's progress stays on screen long enough to read.
      await page.getByLabel('sleep_seconds').fill('4');
      // The browser's own check would stop the submit first; the API's answer is what a person reads.
      await page
        .locator('form')
        .first()
        .evaluate((form: HTMLFormElement) => form.setAttribute('novalidate', ''));
      // Checked before sending: the button names what to fix, and clicking it shows the summary.
      await page.getByRole('button', { name: /^(Create service|Fix .+ first)$/ }).click();
      await page.getByRole('alert').first().waitFor();
      await expect.poll(() => serviceId.getAttribute('aria-invalid')).toBe('true');
      await expect(descriptionOf(serviceId)).resolves.toMatch(/My First App/);
      // The refusal saved nothing; what was typed is still there.
      expect(new URL(page.url()).pathname).toBe('/catalog/echo');
      await expect(page.getByLabel('Message').inputValue()).resolves.toBe('hello, first hour');
      await serviceId.fill('first-app');
    });

    await step('create a network inline, keeping the form', async () => {
      const picker = page.getByLabel('Network', { exact: true });
      // No network yet: the form's network is one still to create.
      await expect(picker.locator('option:checked').textContent()).resolves.toBe('default — not created yet');
      await page.getByRole('button', { name: 'New network…' }).click();
      const inline = page.getByRole('group', { name: 'New Local Docker network' });
      await expect(inline.getByLabel('Network name').inputValue()).resolves.toBe('default');
      await inline.getByRole('button', { name: 'Create network' }).click();
      await expect.poll(() => inline.count()).toBe(0);
      await expect.poll(() => picker.locator('option:checked').textContent()).toBe('default — not deployed');
      await expect(page.getByLabel('Service id').inputValue()).resolves.toBe('first-app');
      await expect(page.getByLabel('Message').inputValue()).resolves.toBe('hello, first hour');
      await expect(page.getByLabel('watch_file').inputValue()).resolves.toBe(watched);
      await page.getByRole('button', { name: 'Create service' }).click();
      await page.getByRole('heading', { name: 'first-app', level: 1 }).waitFor();
    });

    await step('Plan waits for the network, says why, and links to deploying it', async () => {
      const plan = page.getByRole('button', { name: 'Plan', exact: true });
      await expect(plan.isDisabled()).resolves.toBe(true);
      await expect(descriptionOf(plan)).resolves.toContain('Plan needs the network “default” deployed first');
      await saveScreenshot(page, 'plan-waits-for-network');
      await page.getByRole('link', { name: 'Open the network “default”' }).click();
      await page.getByRole('heading', { name: 'Network default' }).waitFor();
      await page.getByRole('button', { name: 'Plan', exact: true }).click();
      await applyThePlan('network default');
      await jobState('succeeded');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
      await page.getByRole('link', { name: 'first-app' }).click();
      await page.getByRole('heading', { name: 'first-app', level: 1 }).waitFor();
      await expect.poll(() => page.getByRole('button', { name: 'Plan', exact: true }).isEnabled()).toBe(true);
    });

    await step('plan, and read the diff', async () => {
      await page.getByRole('button', { name: 'Plan', exact: true }).click();
      await page.getByRole('heading', { name: 'Plan of service first-app' }).waitFor();
      await jobState('succeeded');
      const summary = page.getByRole('region', { name: 'Plan' });
      await summary.getByText('2 to add').waitFor();
      const resource = summary
        .getByRole('list', { name: 'Resources' })
        .locator('details')
        .filter({ has: page.locator('summary', { hasText: /terraform_data\.this\b/ }) });
      await resource.locator('summary').click();
      await expect(diffRow(resource, 'input.message').textContent()).resolves.toContain(
        '"hello, first hour"',
      );
    });

    await step('apply, and watch the progress', async () => {
      await applyThePlan('service first-app');
      const progress = page.getByRole('region', { name: 'Progress' });
      await progress.getByText('1 of 2 resources').waitFor({ timeout: 60_000 });
      await jobState('succeeded');
      await page.getByText('2 of 2 resources changed.').waitFor();
    });

    await step('copy an output', async () => {
      const outputs = page.getByRole('region', { name: 'Outputs' });
      await outputs.getByRole('button', { name: 'Copy greeting' }).click();
      await outputs.getByRole('button', { name: 'Copy greeting' }).getByText('Copied').waitFor();
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('hello, first hour');
    });

    await step('edit a parameter, plan and apply the change', async () => {
      await page.getByRole('link', { name: 'Open service first-app' }).click();
      await page.getByRole('link', { name: 'Edit the settings of first-app' }).click();
      await page.getByRole('heading', { name: 'Edit first-app' }).waitFor();
      await expect(page.getByLabel('Message').inputValue()).resolves.toBe('hello, first hour');
      await page.getByLabel('Message').fill('second words');
      // The slow step is not needed any more (terraform_data updates in place: it would not run again anyway).
      await page.getByLabel('sleep_seconds').fill('0');
      await saveScreenshot(page, 'edit-service');
      await page.getByRole('button', { name: 'Save and plan' }).click();
      await page.getByRole('heading', { name: 'Plan of service first-app' }).waitFor();
      await jobState('succeeded');
      const resource = page
        .getByRole('region', { name: 'Plan' })
        .getByRole('list', { name: 'Resources' })
        .locator('details')
        .filter({ has: page.locator('summary', { hasText: /terraform_data\.this\b/ }) });
      await resource.locator('summary').click();
      await expect(diffRow(resource, 'input.message').textContent()).resolves.toBe(
        'input.message"hello, first hour"→"second words"',
      );
      await applyThePlan('service first-app');
      await jobState('succeeded');
      await page.getByRole('region', { name: 'Outputs' }).getByText('second words').waitFor();
    });

    await step('see drift, and reconcile it', async () => {
      // Someone changes the deployed file behind SpawnIt's back; the drift check finds it.
      await writeFile(watched, 'changed by hand');
      const loop = createDriftLoop({
        engine: stack.h.engine,
        operations: stack.operations,
        intervalMs: 60_000,
      });
      try {
        await loop.runOnce();
        await page.getByRole('link', { name: 'Open service first-app' }).click();
        const drift = page.getByRole('region', { name: 'Changed outside SpawnIt' });
        await drift.waitFor();
        const resource = drift
          .getByRole('list', { name: 'What reconciling changes' })
          .locator('details')
          .first();
        await resource.locator('summary').click();
        await expect(diffRow(resource, 'input.watched').textContent()).resolves.toBe(
          'input.watched"as deployed"→"changed by hand"',
        );
        await drift.getByRole('button', { name: 'Reconcile' }).click();
        await page.getByRole('heading', { name: 'Plan of service first-app' }).waitFor();
        await page.getByRole('heading', { name: 'Apply of service first-app' }).waitFor({ timeout: 90_000 });
        await jobState('succeeded');
        await loop.runOnce();
      } finally {
        await loop.stop();
      }
      await page.getByRole('link', { name: 'Open service first-app' }).click();
      await page.getByRole('heading', { name: 'first-app', level: 1 }).waitFor();
      await page.getByText('in sync', { exact: true }).first().waitFor();
      await expect(page.getByRole('region', { name: 'Changed outside SpawnIt' }).count()).resolves.toBe(0);
    });

    await step('cancel an apply, after confirming', async () => {
      // A change whose apply takes two minutes (a slow step created again): long enough to be cancelled.
      await page.getByRole('link', { name: 'Edit the settings of first-app' }).click();
      await page.getByLabel('sleep_seconds').fill('120');
      await page.getByRole('button', { name: 'Save and plan' }).click();
      await page.getByRole('heading', { name: 'Plan of service first-app' }).waitFor();
      await applyThePlan('service first-app');
      await page.getByRole('log').getByText("Provisioning with 'local-exec'").waitFor({ timeout: 60_000 });
      await page.getByRole('button', { name: 'Cancel', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Cancel this apply?' });
      await dialog.getByRole('button', { name: 'Cancel the apply' }).click();
      await jobState('cancelled');
      await page.getByRole('link', { name: 'Plan service first-app again' }).waitFor();
      await saveScreenshot(page, 'cancelled-apply');
    });

    await step('open the jobs page', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
      // The network's plan and apply; the service's plan and apply, its edit's, the reconcile's, the cancelled one.
      await page.getByText('10 of 10 jobs').waitFor();
      const rows = page.getByRole('table').locator('tbody tr');
      await expect(rows.first().textContent()).resolves.toMatch(/^Applyservice first-appcancelled/);
      await saveScreenshot(page, 'jobs');
      await page.getByLabel('State').selectOption('CANCELLED');
      await page.getByText('1 of 10 jobs').waitFor();
      await rows.first().getByRole('link', { name: 'Apply' }).click();
      await page.getByRole('heading', { name: 'Apply of service first-app' }).waitFor();
    });

    await step('destroy', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
      await page.getByRole('link', { name: 'first-app' }).click();
      await page.getByRole('heading', { name: 'first-app', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Destroy' }).click();
      const dialog = page.getByRole('dialog', { name: 'Destroy first-app?' });
      await dialog.getByLabel('Type first-app to confirm').fill('first-app');
      await dialog.getByRole('button', { name: 'Destroy' }).click();
      await page.getByRole('heading', { name: 'Destroy of service first-app' }).waitFor();
      await jobState('succeeded');
    });

    await step('delete', async () => {
      await page.getByRole('link', { name: 'Open service first-app' }).click();
      await page.getByRole('heading', { name: 'first-app', level: 1 }).waitFor();
      await page.getByText('not deployed', { exact: true }).first().waitFor();
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
      await page.getByText(/^Deleted first-app/).waitFor();
      await page.getByText('You have no services yet.').waitFor();
    });

    await step('sign out', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      // The provider asks before ending its session, then sends the browser back to the app.
      await page.getByRole('button', { name: /sign me out/i }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(new URL(page.url()).origin).toBe(stack.origin);
      // Back in the app, with a word that it worked.
      await page.getByText('Signed out. See you soon.').waitFor();
    });

    expect(pageErrors).toEqual([]);
  }, 900_000);
});
