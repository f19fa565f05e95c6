import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';
import { webApiAs } from '../support/web-api.js';

// A page whose data cannot be loaded says what it could not load, why in words, what to do, and offers
// "Try again" that loads it once the API is back: never a raw "[Network] Failed to fetch" or a blank page.
// The API is really stopped (its port closed) while the signed-in page stays open, then started again.

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
let planJobId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-errors-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({ distDir: path.join(dir, 'dist') });
  const { gql, settle } = await webApiAs(stack, 'alice');
  await gql(
    'mutation { createService(input: { serviceId: "web", templateId: "echo", params: { message: "hi" } }) { __typename } }',
  );
  await gql('mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
  planJobId = (await gql('mutation { planNetwork(provider: LOCAL, name: "default") { id } }')).planNetwork.id;
  await settle(planJobId);
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(20_000);
  await signInAt(page, `${stack.origin}/services`, 'alice', USERS.alice);
  await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Goes to `href` inside the app, as a link would: the page itself stays loaded while the API is down. */
async function goInApp(href: string) {
  await page.evaluate((to) => {
    history.pushState(null, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, href);
}

describe('a page whose data cannot be loaded', () => {
  it('says what it could not load, why and what to do, on every page, with "Try again"', async () => {
    await stack.app.stop();
    const pages: [string, string][] = [
      ['/', 'the catalog'],
      ['/catalog/echo', 'template “echo” and your networks'],
      ['/services/web', 'service “web”'],
      ['/services/web/edit', 'service “web”'],
      ['/jobs', 'your jobs'],
      [`/jobs/${planJobId}`, `job ${planJobId}`],
      ['/networks', 'your networks'],
      ['/networks/local/default', 'network “default” (Local Docker)'],
    ];
    for (const [href, what] of pages) {
      await goInApp(href);
      const alert = page.getByRole('alert').filter({ hasText: `Could not load ${what}` });
      await alert.waitFor();
      const text = await alert.textContent();
      expect(text, href).toContain(`Could not load ${what}: the API did not answer.`);
      expect(text, href).toContain(
        'Check your connection and that SpawnIt’s API is running, then try again.',
      );
      expect(text, href).not.toMatch(/\[Network\]|\[GraphQL\]|Failed to fetch/);
      await expect(alert.getByRole('button', { name: 'Try again' }).isEnabled(), href).resolves.toBe(true);
    }
  });

  it('loads it with "Try again" once the API is back, and the error goes', async () => {
    await stack.app.start();
    const alert = page.getByRole('alert').filter({ hasText: 'Could not load network “default”' });
    await alert.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('heading', { name: 'Network default', level: 1 }).waitFor();
    await alert.waitFor({ state: 'detached' });
    // The other pages load again too, without a reload.
    await goInApp('/jobs');
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await page.getByRole('table').locator('tbody tr').first().waitFor();
  });

  it('says what a refused action concerned, in words', async () => {
    // The page shows what it had (cache and network) and asks the API again: the API stops only once it
    // answered, or the page would rightly show that it could not load the network instead of its actions.
    const answered = page.waitForResponse(
      (response) => response.request().postData()?.includes('query Network(') ?? false,
    );
    await goInApp('/networks/local/default');
    await page.getByRole('heading', { name: 'Network default', level: 1 }).waitFor();
    await answered;
    await stack.app.stop();
    try {
      await page.getByRole('button', { name: 'Plan', exact: true }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Could not plan' });
      await expect(alert.textContent()).resolves.toContain('the API did not answer.');
      await expect(alert.getByRole('button', { name: 'Try again' }).isVisible()).resolves.toBe(true);
    } finally {
      await stack.app.start();
    }
  });
});
