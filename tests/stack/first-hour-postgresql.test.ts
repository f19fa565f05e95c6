import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDriftLoop, type DriftLoop } from '@spawnit/engine';
import { execa } from 'execa';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { createWalk, descriptionOf, diffRow, openWalkPage } from '../support/first-hour.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/gate.js';
import { docker, dockerObjects, realEngineOptions } from '../support/real-stack.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';

// The first hour of a new user on the real stack: the shipped PostgreSQL template on the local provider (real
// OpenTofu, the kreuzwerker/docker provider from the mirror, the tests' own dockerd, the local postgres image).
// Sign in, pick PostgreSQL, fill its form with one mistake (explained, then fixed), create the network inline,
// plan and read the diff, apply and watch the progress, copy the connection URL and query with psql, change
// the published port, see a `docker stop` as drift and reconcile it (two clicks here: the stopped container is
// replaced, and a reconcile that destroys waits for the user), cancel an apply after confirming, open the jobs
// page, destroy (nothing left in Docker), delete, sign out. Only roles and labels.

const SERVICE = 'db';
let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
let loop: DriftLoop | undefined;
let walked = false;
const pageErrors: string[] = [];
const { step, jobState, applyThePlan, printTimings } = createWalk(() => page, { jobTimeoutMs: 300_000 });

/** What psql prints for `query` on the database at `url`; stderr is kept to show why it could not connect. */
const psql = (url: string, query: string) =>
  execa('psql', [url, '-tAc', query], { env: { PGCONNECT_TIMEOUT: '5' }, reject: false });

/** The service's container in the tests' dockerd, e.g. `spawnit-<client>-db`; '' once there is none. */
async function containerOf(serviceId: string): Promise<string> {
  const names = await dockerObjects('container', 'spawnit-');
  return names.find((name) => name.endsWith(`-${serviceId}`)) ?? '';
}

/** Reveals the connection URL on the page's outputs and copies it, as a person pastes it into psql. */
async function copyConnectionUrl(): Promise<string> {
  const outputs = page.getByRole('region', { name: 'Outputs' });
  await outputs.getByRole('button', { name: 'Reveal url' }).click();
  await outputs.getByRole('button', { name: 'Copy url' }).click();
  await outputs.getByRole('button', { name: 'Copy url' }).getByText('Copied').waitFor();
  const url = await page.evaluate(() => navigator.clipboard.readText());
  await outputs.getByRole('button', { name: 'Hide url' }).click();
  return url;
}

/** The resource of the PostgreSQL container in a list of resource diffs, opened. */
async function openContainerDiff(list: Locator) {
  const resource = list
    .locator('details')
    .filter({ has: page.locator('summary', { hasText: /docker_container\.this\["postgresql"\]/ }) });
  await resource.locator('summary').click();
  return resource;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-stack-first-hour-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({ distDir: path.join(dir, 'dist'), engine: realEngineOptions() });
  // Errors of the UI's pages; the provider's pages are not ours to judge.
  page = await openWalkPage(browser, stack.origin, pageErrors, 30_000);
}, 300_000);

afterAll(async () => {
  printTimings('first hour on PostgreSQL');
  await loop?.stop();
  if (page && !walked) {
    // Where the walk stopped, to read why: a real stack's failures are seldom in the error message alone.
    const shot = path.join(tmpdir(), 'spawnit-first-hour-postgresql-failed.png');
    await page.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
    console.info(`the page where the walk stopped: ${shot}`);
  }
  await browser?.close();
  if (stack) {
    // Whatever the walk reached, nothing stays in the tests' dockerd.
    const clientId = (await stack.h.engine.index.clients())[0];
    if (clientId) {
      for (const ref of [
        { clientId, serviceId: SERVICE },
        { kind: 'network', clientId, provider: 'local', networkName: 'default' } as const,
      ]) {
        if (await stack.h.engine.isDeployed(ref).catch(() => false))
          await stack.h.engine.destroy(ref).catch(() => undefined);
      }
    }
    await stack.close();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 300_000);

describe('the first hour, on the real stack', () => {
  it('walks from signing in to signing out, with PostgreSQL', async () => {
    const port = await freePort();
    let newPort = await freePort();
    while (newPort === port) newPort = await freePort();

    await step('sign in', async () => {
      await signInAt(page, `${stack.origin}/`, 'alice', USERS.alice);
      await page.getByRole('heading', { name: 'Catalog', level: 1 }).waitFor();
    });

    await step('pick PostgreSQL in the catalog', async () => {
      await page.getByRole('searchbox', { name: 'Search' }).fill('postgres');
      await page.getByRole('link', { name: 'PostgreSQL' }).click();
      await page.getByRole('heading', { name: 'New PostgreSQL service' }).waitFor();
    });

    await step('fill the form with one mistake, see it explained, fix it', async () => {
      await page.getByLabel('Service id').fill(SERVICE);
      const portField = page.getByLabel('Port');
      // A privileged port: the template allows 1024 and up.
      await portField.fill('80');
      // The browser's own check would stop the submit first; the API's answer is what a person reads.
      await page
        .locator('form')
        .first()
        .evaluate((form: HTMLFormElement) => form.setAttribute('novalidate', ''));
      // Straight from the field: the press keeps the focus there, so the button does not move under the
      // mouse, and the submit shows what is wrong.
      await page.getByRole('button', { name: 'Create service' }).click();
      await page.getByRole('alert').first().waitFor();
      await expect.poll(() => portField.getAttribute('aria-invalid')).toBe('true');
      await expect(descriptionOf(portField)).resolves.toMatch(/1024/);
      // The refusal saved nothing; what was typed is still there.
      expect(new URL(page.url()).pathname).toBe('/catalog/postgresql');
      await expect(page.getByLabel('Service id').inputValue()).resolves.toBe(SERVICE);
      await portField.fill(String(port));
    });

    await step('create the network inline, keeping the form', async () => {
      const picker = page.getByLabel('Network', { exact: true });
      await expect(picker.locator('option:checked').textContent()).resolves.toBe('default — not created yet');
      await page.getByRole('button', { name: 'New network…' }).click();
      const inline = page.getByRole('group', { name: 'New Local Docker network' });
      await expect(inline.getByLabel('Network name').inputValue()).resolves.toBe('default');
      await inline.getByRole('button', { name: 'Create network' }).click();
      await expect.poll(() => inline.count()).toBe(0);
      await expect.poll(() => picker.locator('option:checked').textContent()).toBe('default — not deployed');
      await expect(page.getByLabel('Service id').inputValue()).resolves.toBe(SERVICE);
      await expect(page.getByLabel('Port').inputValue()).resolves.toBe(String(port));
      await page.getByRole('button', { name: 'Create service' }).click();
      await page.getByRole('heading', { name: SERVICE, level: 1 }).waitFor();
    });

    await step('Plan waits for the network; deploy the network', async () => {
      const plan = page.getByRole('button', { name: 'Plan', exact: true });
      await expect(plan.isDisabled()).resolves.toBe(true);
      await expect(descriptionOf(plan)).resolves.toContain('Plan needs the network “default” deployed first');
      await page.getByRole('link', { name: 'Open the network “default”' }).click();
      await page.getByRole('heading', { name: 'Network default' }).waitFor();
      await page.getByRole('button', { name: 'Plan', exact: true }).click();
      await applyThePlan('network default');
      await jobState('succeeded');
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
      await page.getByRole('link', { name: SERVICE, exact: true }).click();
      await page.getByRole('heading', { name: SERVICE, level: 1 }).waitFor();
      await expect.poll(() => page.getByRole('button', { name: 'Plan', exact: true }).isEnabled()).toBe(true);
    });

    await step('plan, and read the diff', async () => {
      await page.getByRole('button', { name: 'Plan', exact: true }).click();
      await page.getByRole('heading', { name: `Plan of service ${SERVICE}` }).waitFor();
      await jobState('succeeded');
      const summary = page.getByRole('region', { name: 'Plan' });
      await summary.getByText('3 to add').waitFor();
      const resource = await openContainerDiff(summary.getByRole('list', { name: 'Resources' }));
      await expect(diffRow(resource, 'ports[0].external').textContent()).resolves.toContain(String(port));
      await expect(diffRow(resource, 'ports[0].ip').textContent()).resolves.toContain('"127.0.0.1"');
      await expect(diffRow(resource, 'must_run').textContent()).resolves.toContain('true');
    });

    await step('apply, and watch the progress', async () => {
      await applyThePlan(`service ${SERVICE}`);
      const progress = page.getByRole('region', { name: 'Progress' });
      // The container waits for its health check: the count stays short of 3 for seconds.
      await progress.getByText(/[12] of 3 resources/).waitFor({ timeout: 120_000 });
      await jobState('succeeded');
      await page.getByText('3 of 3 resources changed.').waitFor();
    });

    await step('copy the connection URL, and query with psql', async () => {
      const url = await copyConnectionUrl();
      expect(url).toMatch(new RegExp(`^postgresql://app:.+@localhost:${port}/app$`));
      const result = await psql(url, 'select 6 * 7');
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('42');
    });

    await step('edit the port, plan and apply the change; psql reaches the new port', async () => {
      await page.getByRole('link', { name: `Open service ${SERVICE}` }).click();
      await page.getByRole('link', { name: `Edit the settings of ${SERVICE}` }).click();
      await page.getByRole('heading', { name: `Edit ${SERVICE}` }).waitFor();
      const portField = page.getByLabel('Port');
      await expect(portField.inputValue()).resolves.toBe(String(port));
      await portField.fill(String(newPort));
      await page.getByRole('button', { name: 'Save and plan' }).click();
      await page.getByRole('heading', { name: `Plan of service ${SERVICE}` }).waitFor();
      await jobState('succeeded');
      const resource = await openContainerDiff(
        page.getByRole('region', { name: 'Plan' }).getByRole('list', { name: 'Resources' }),
      );
      // A published port cannot change on a running container: it is replaced, and the page says why.
      await expect(diffRow(resource, 'ports[0].external').textContent()).resolves.toBe(
        `ports[0].external forces replacement${port}→${newPort}`,
      );
      await applyThePlan(`service ${SERVICE}`);
      await jobState('succeeded');
      const url = await copyConnectionUrl();
      expect(url).toContain(`@localhost:${newPort}/`);
      const result = await psql(url, 'select 6 * 7');
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('42');
      const old = await psql(url.replace(`:${newPort}/`, `:${port}/`), 'select 1');
      expect(old.exitCode).not.toBe(0);
    });

    await step(
      'see a docker stop as drift, and reconcile it (the replace waits for a second click)',
      async () => {
        // The drift loop as the API runs it; a 10-minute interval, so Docker's events are what find the stop.
        loop = createDriftLoop({ engine: stack.h.engine, operations: stack.operations, intervalMs: 600_000 });
        loop.start();
        // Its first pass plans the service at once: in sync.
        await waitFor(() => (loop?.stats.planned ?? 0) >= 1, 'the first drift check', 120_000);
        const container = await containerOf(SERVICE);
        expect(container).toBeTruthy();
        const stoppedAt = Date.now();
        const stopped = await docker('stop', container);
        expect(stopped.exitCode, stopped.stderr).toBe(0);
        await waitFor(
          () => (loop?.stats.eventChecks ?? 0) >= 1,
          'the docker stop to ask for a check',
          30_000,
        );
        // The service page shows it once the check has run (a page opened later reads the status).
        const drift = page.getByRole('region', { name: 'Changed outside SpawnIt' });
        await expect
          .poll(
            async () => {
              await page.goto(`${stack.origin}/services/${SERVICE}`);
              await page.getByRole('heading', { name: SERVICE, level: 1 }).waitFor();
              return drift.count();
            },
            { timeout: 120_000, interval: 1000 },
          )
          .toBe(1);
        console.info(`docker stop shown as drift on the service page after ${Date.now() - stoppedAt} ms`);
        await expectDriftOfContainer(drift);
        await drift.getByRole('button', { name: 'Reconcile' }).click();
        await page.getByRole('heading', { name: `Plan of service ${SERVICE}` }).waitFor();
        await jobState('succeeded');
        // The provider cannot start a stopped container again: it replaces it (the data is on its volume). A
        // reconcile that destroys anything waits for the user, so on this template it takes a second click.
        await page
          .getByText('Reconciling stopped before the apply: this plan destroys 1 resource(s).', {
            exact: false,
          })
          .waitFor();
        const resource = await openContainerDiff(
          page.getByRole('region', { name: 'Plan' }).getByRole('list', { name: 'Resources' }),
        );
        await expect(resource.locator('summary').textContent()).resolves.toMatch(/^replace /);
        await applyThePlan(`service ${SERVICE}`);
        await jobState('succeeded');
        const inspected = await docker('inspect', '-f', '{{.State.Status}}', await containerOf(SERVICE));
        expect(inspected.stdout.trim()).toBe('running');
        const url = await copyConnectionUrl();
        const result = await psql(url, 'select 6 * 7');
        expect(result.stderr).toBe('');
        expect(result.stdout.trim()).toBe('42');
        await page.getByRole('link', { name: `Open service ${SERVICE}` }).click();
        await page.getByRole('heading', { name: SERVICE, level: 1 }).waitFor();
        await page.getByText('in sync', { exact: true }).first().waitFor();
        await expect(drift.count()).resolves.toBe(0);
        await loop.stop();
        loop = undefined;
      },
    );

    await step('cancel an apply, after confirming', async () => {
      // Another port: the container is replaced and the new one waits for its health check (5 s apart),
      // which leaves seconds to cancel in.
      let thirdPort = await freePort();
      while (thirdPort === port || thirdPort === newPort) thirdPort = await freePort();
      await page.getByRole('link', { name: `Edit the settings of ${SERVICE}` }).click();
      await page.getByLabel('Port').fill(String(thirdPort));
      await page.getByRole('button', { name: 'Save and plan' }).click();
      await page.getByRole('heading', { name: `Plan of service ${SERVICE}` }).waitFor();
      await applyThePlan(`service ${SERVICE}`);
      await page
        .getByRole('log')
        .getByText(/docker_container\.this\["postgresql"\]: Creating\.\.\./)
        .waitFor({ timeout: 120_000 });
      await page.getByRole('button', { name: 'Cancel', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Cancel this apply?' });
      await dialog.getByRole('button', { name: 'Cancel the apply' }).click();
      await jobState('cancelled');
      await page.getByRole('link', { name: `Plan service ${SERVICE} again` }).waitFor();
    });

    await step('open the jobs page', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
      await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
      // The network's plan and apply; the service's, its edit's, the reconcile's; the cancelled edit's.
      await page.getByText('10 of 10 jobs').waitFor();
      const rows = page.getByRole('table').locator('tbody tr');
      await expect(rows.first().textContent()).resolves.toMatch(
        new RegExp(`^Applyservice ${SERVICE}cancelled`),
      );
      await page.getByLabel('State').selectOption('CANCELLED');
      await page.getByText('1 of 10 jobs').waitFor();
      await rows.first().getByRole('link', { name: 'Apply' }).click();
      await page.getByRole('heading', { name: `Apply of service ${SERVICE}` }).waitFor();
    });

    await step('destroy: nothing of it left in Docker', async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services' }).click();
      await page.getByRole('link', { name: SERVICE, exact: true }).click();
      await page.getByRole('heading', { name: SERVICE, level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Destroy' }).click();
      const dialog = page.getByRole('dialog', { name: `Destroy ${SERVICE}?` });
      await dialog.getByLabel(`Type ${SERVICE} to confirm`).fill(SERVICE);
      await dialog.getByRole('button', { name: 'Destroy' }).click();
      await page.getByRole('heading', { name: `Destroy of service ${SERVICE}` }).waitFor();
      await jobState('succeeded');
      await expect(containerOf(SERVICE)).resolves.toBe('');
      const volumes = await dockerObjects('volume', 'spawnit-');
      expect(volumes.filter((name) => name.endsWith(`-${SERVICE}-data`))).toEqual([]);
    });

    await step('delete', async () => {
      await page.getByRole('link', { name: `Open service ${SERVICE}` }).click();
      await page.getByRole('heading', { name: SERVICE, level: 1 }).waitFor();
      await page.getByText('not deployed', { exact: true }).first().waitFor();
      await page.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
      await page.getByText(new RegExp(`^Deleted ${SERVICE}`)).waitFor();
      await page.getByText('You have no services yet.').waitFor();
    });

    await step('sign out', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: /sign me out/i }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(new URL(page.url()).origin).toBe(stack.origin);
      await page.getByText('Signed out. See you soon.').waitFor();
    });

    expect(pageErrors).toEqual([]);
    walked = true;
  }, 1_200_000);
});

/** The drift panel names the stopped container among what reconciling changes. */
async function expectDriftOfContainer(drift: Locator) {
  const list = drift.getByRole('list', { name: 'What reconciling changes' });
  await list.waitFor();
  const text = await list.textContent();
  expect(text).toMatch(/docker_container\.this\["postgresql"\]/);
}
