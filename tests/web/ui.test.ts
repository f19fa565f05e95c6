import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium } from '../support/browser.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';

// The web UI in a real browser against the real stack: sign in through the OIDC provider's own page, create
// a service (a field error first), plan it (its network is missing: the message links to the fix), create
// and apply the network, plan, apply, read the outputs, destroy. Set SPAWNIT_SCREENSHOTS=<dir> to keep a
// screenshot of each step.

const SCREENSHOTS = process.env.SPAWNIT_SCREENSHOTS;

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function snap(name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** The job page's state badge reads `state` (a job takes a few seconds of real terraform). */
async function waitForJobState(state: string) {
  await page.locator('.job-meta .badge').first().filter({ hasText: state }).waitFor({ timeout: 60_000 });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-'));
  if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({ distDir: path.join(dir, 'dist') });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  // Errors of the UI's pages; the provider's pages are not ours to judge.
  const ours = () => page.url().startsWith(stack.origin);
  page.on('pageerror', (error) => ours() && pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && ours())
      pageErrors.push(`${message.text()} (${message.location().url})`);
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the web UI in chromium', () => {
  it('serves the UI, its config and an SPA fallback, and nothing outside dist', async () => {
    const config = await fetch(`${stack.origin}/config.json`);
    expect(config.headers.get('content-type')).toContain('application/json');
    expect(await config.json()).toMatchObject({ apiUrl: '/graphql', oidc: { clientId: 'spawnit-web' } });
    const deep = await fetch(`${stack.origin}/services/anything`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    expect(deep.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await deep.text()).toContain('<div id="root">');
    expect((await fetch(`${stack.origin}/assets/missing.js`)).status).toBe(404);
    for (const probe of [
      '/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2f..%2fpackage.json',
    ]) {
      const response = await fetch(`${stack.origin}${probe}`);
      expect(await response.text(), probe).not.toContain('"name"');
    }
    const health = await fetch(`${stack.origin}/health`);
    expect(health.status).toBe(200);
  });

  it('signs in as alice through the provider’s login page', async () => {
    await page.goto(`${stack.origin}/services`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(USERS.alice);
    await snap('01-login');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the sign-in started, signed in.
    await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/services');
    await expect(page.locator('.username').textContent()).resolves.toBe('alice');
    await page.getByText('You have no services yet.').waitFor();
  });

  it('browses the catalog and opens a template', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
    const card = page.locator('.card', { hasText: 'Echo' });
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain(
      'A fixture service made of terraform_data resources.',
    );
    await expect(card.locator('.tag-provider').textContent()).resolves.toBe('Local Docker');
    await snap('02-catalog');
    await card.getByRole('link', { name: 'Echo' }).click();
    await page.getByRole('heading', { name: 'New Echo service' }).waitFor();
  });

  it('creates a service: a field’s problem shows next to it once left, then the fixed form saves', async () => {
    // Defaults fill the form; enum, boolean and secret fields get their own inputs.
    await expect(page.getByLabel('port').inputValue()).resolves.toBe('8080');
    await expect(page.getByLabel('fail').isChecked()).resolves.toBe(false);
    await expect(page.getByLabel('password').getAttribute('type')).resolves.toBe('password');
    await expect(page.getByLabel('password').getAttribute('placeholder')).resolves.toBe(
      'Leave empty to generate',
    );

    await page.getByLabel('Service id').fill('My_Echo');
    await page.getByLabel('Message').fill('hello from the browser');
    // Leaving the field showed its problem, and the button says what to fix; a click sends nothing.
    await page.getByRole('button', { name: 'Fix Service id first' }).click();
    const error = page.locator('#service-serviceId-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('Service id "My_Echo" is not valid');
    await expect(page.getByLabel('Service id').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('The form was not saved');
    await snap('03-field-error');

    await page.getByLabel('Service id').fill('echo-1');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByRole('heading', { name: 'echo-1', level: 1 }).waitFor();
    await expect(page.locator('.page-status .badge').textContent()).resolves.toBe('not deployed');
    // The secret is never shown back.
    const config = page.getByRole('region', { name: 'Configuration' });
    await expect(config.textContent()).resolves.toContain('hello from the browser');
    await expect(config.textContent()).resolves.toContain('(secret, hidden)');
    await snap('04-service');
  });

  it('Plan waits for the network, saying why and linking to create it', async () => {
    const plan = page.getByRole('button', { name: 'Plan', exact: true });
    await expect(plan.isDisabled()).resolves.toBe(true);
    const reason = page.locator('#plan-blocked');
    await expect(plan.getAttribute('aria-describedby')).resolves.toBe('plan-blocked');
    await expect(reason.textContent()).resolves.toBe(
      'Plan needs the network “default”, which does not exist yet: Create the network “default”, apply it, then plan.',
    );
    await snap('05-plan-no-network');

    await reason.getByRole('link', { name: 'Create the network “default”' }).click();
    await page.getByRole('heading', { name: 'New network' }).waitFor();
    await expect(page.getByLabel('Name').inputValue()).resolves.toBe('default');
    await page.getByRole('button', { name: 'Create network' }).click();
    await page.getByRole('heading', { name: 'Network default' }).waitFor();
    // Created but not deployed: the service still waits, and says so.
    await page.goto(`${stack.origin}/services/echo-1`);
    await expect(page.locator('#plan-blocked').textContent()).resolves.toBe(
      'Plan needs the network “default” deployed first: Open the network “default” to plan and apply it.',
    );
    await page.locator('#plan-blocked').getByRole('link', { name: 'Open the network “default”' }).click();
    await page.getByRole('heading', { name: 'Network default' }).waitFor();
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    await waitForJobState('succeeded');
    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: /^Apply of network default/ }).waitFor();
    await waitForJobState('succeeded');
    await page.getByRole('log').getByText('Apply complete!').waitFor();
  });

  it('plans the service: the log streams in and the summary lists the changes', async () => {
    await page.goto(`${stack.origin}/services/echo-1`);
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    await page.getByRole('heading', { name: 'Plan of service echo-1' }).waitFor();
    const log = page.getByRole('log', { name: 'Job log' });
    await log.getByText('Network "default" (local) is compliant.').waitFor();
    await waitForJobState('succeeded');
    await log.getByText('Plan: 1 to add, 0 to change, 0 to destroy.').waitFor();
    const summary = page.getByRole('region', { name: 'Plan' });
    await expect(summary.locator('.count-add').textContent()).resolves.toBe('1 to add');
    await expect(summary.getByRole('list', { name: 'Resources' }).textContent()).resolves.toMatch(
      /create.*module\.this\.terraform_data\.this|create.*terraform_data\.this/,
    );
    await snap('06-plan');
  });

  it('applies the plan after confirming, streams the apply and shows the outputs', async () => {
    // A second tab on the services list sees the status change pushed by the API, with no reload. Its
    // sessionStorage is its own: it signs in again, through the provider's session, without the form.
    const watcher = await page.context().newPage();
    await watcher.goto(`${stack.origin}/services`);
    await watcher.getByRole('button', { name: 'Sign in' }).click();
    const row = watcher.getByRole('row', { name: /echo-1/ });
    await row.getByText('not deployed').waitFor();

    await page.getByRole('button', { name: 'Apply this plan' }).click();
    const dialog = page.getByRole('dialog', { name: 'Apply this plan to service echo-1?' });
    await expect(dialog.textContent()).resolves.toContain('1 to add, 0 to change, 0 to destroy');
    await snap('07-confirm-apply');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: 'Apply of service echo-1' }).waitFor();
    await waitForJobState('succeeded');
    await page.getByRole('log').getByText('Apply complete! Resources: 1 added').waitFor();
    const outputs = page.getByRole('region', { name: 'Outputs' });
    await outputs.getByText('hello from the browser').waitFor();
    await expect(outputs.textContent()).resolves.toContain('(sensitive)');
    await outputs.getByRole('button', { name: 'Reveal password' }).click();
    await outputs
      .locator('.output-value')
      .filter({ hasText: /^[A-Za-z0-9]{20}$/ })
      .waitFor();
    await snap('08-applied');
    await row.getByText('in sync').waitFor();
    await watcher.close();

    await page.getByRole('link', { name: 'Open service echo-1' }).click();
    // The page may first show what it had cached, then what the API says now.
    await page
      .locator('.page-status .badge')
      .filter({ hasText: /^in sync$/ })
      .waitFor();
    // A plan and its apply: the Plan button never ran while the network was missing.
    await expect(page.getByRole('region', { name: 'Jobs' }).locator('tbody tr').count()).resolves.toBe(2);
    await snap('09-service-deployed');
  });

  it('destroys the service once its id is typed', async () => {
    await page.getByRole('button', { name: 'Destroy' }).click();
    const dialog = page.getByRole('dialog', { name: 'Destroy echo-1?' });
    const confirm = dialog.getByRole('button', { name: 'Destroy' });
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await dialog.getByLabel('Type echo-1 to confirm').fill('echo-1');
    await snap('10-confirm-destroy');
    await confirm.click();
    await page.getByRole('heading', { name: 'Destroy of service echo-1' }).waitFor();
    await waitForJobState('succeeded');
    await page.getByRole('log').getByText('Resources: 0 added, 0 changed, 1 destroyed.').waitFor();
    await expect(
      page.getByRole('region', { name: 'Changes' }).locator('.count-destroy').textContent(),
    ).resolves.toBe('1 to destroy');
    await snap('11-destroyed');
    await page.getByRole('link', { name: 'Open service echo-1' }).click();
    await expect(page.locator('.page-status .badge').textContent()).resolves.toBe('not deployed');
  });

  it('cancels a running apply: tofu is interrupted and the job ends cancelled', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
    await page.locator('.card', { hasText: 'Echo' }).getByRole('link', { name: 'Echo' }).click();
    await page.getByLabel('Service id').fill('slow');
    await page.getByLabel('Message').fill('a slow one');
    await page.getByLabel('sleep_seconds').fill('120');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByRole('heading', { name: 'slow', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    await waitForJobState('succeeded');
    await page.getByRole('button', { name: 'Apply this plan' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: 'Apply of service slow' }).waitFor();
    await page.getByRole('log').getByText("Provisioning with 'local-exec'").waitFor({ timeout: 60_000 });
    // One click is not enough to interrupt an apply: a dialog says what cancelling does, and can be left.
    await page.getByRole('button', { name: 'Cancel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this apply?' });
    await dialog.getByText('What it already changed stays changed').waitFor();
    await dialog.getByRole('button', { name: 'Keep it running' }).click();
    await expect(dialog.isVisible()).resolves.toBe(false);
    await expect(page.locator('.job-meta .badge').first().textContent()).resolves.toBe('running');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await dialog.getByRole('button', { name: 'Cancel the apply' }).click();
    await waitForJobState('cancelled');
    await page.getByRole('log').getByText('Interrupt received').waitFor();
    await expect(page.getByRole('button', { name: 'Cancel', exact: true }).count()).resolves.toBe(0);
    // After it, the state is explained in words, with the way on.
    const next = page.locator('.cancelled-next');
    await expect(next.textContent()).resolves.toContain('Part of the apply may have run before it stopped');
    await next.getByRole('link', { name: 'Plan service slow again' }).waitFor();
    await snap('12-cancelled');
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The provider asks before ending its session, then sends the browser back to the UI.
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).origin).toBe(stack.origin);
    await snap('13-signed-out');
    // The tokens are gone: a deep link asks to sign in again.
    await page.goto(`${stack.origin}/services/echo-1`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
