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

// A service's network is picked, not typed: the provider's networks, each saying whether it is deployed, and
// "New network…", which creates one inside the service's form without losing what was typed (and never offers
// a name that exists already). Plan waits, saying why and linking to the fix, while the network is missing
// or not deployed.

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
let api: Awaited<ReturnType<typeof webApiAs>>;
const pageErrors: string[] = [];

const picker = () => page.getByLabel('Network', { exact: true });
const inline = () => page.getByRole('group', { name: 'New Local Docker network' });
/** The text of the elements describing an element (its hint, its error). */
const descriptionOf = (locator: ReturnType<Page['getByLabel']>) =>
  locator.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-picker-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({ distDir: path.join(dir, 'dist') });
  api = await webApiAs(stack, 'alice');
  // "default" deployed, "staging" only saved.
  await api.deployNetwork();
  await api.gql('mutation { createNetwork(input: { networkName: "staging" }) { __typename } }');
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(20_000);
  const ours = () => page.url().startsWith(stack.origin);
  page.on('pageerror', (error) => ours() && pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && ours()) pageErrors.push(message.text());
  });
  await signInAt(page, `${stack.origin}/catalog/echo`, 'alice', USERS.alice);
  await page.getByRole('heading', { name: 'New Echo service' }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the network picker', () => {
  it('lists the provider’s networks with whether each is deployed, a deployed one chosen', async () => {
    await expect
      .poll(() => picker().locator('option').allTextContents())
      .toEqual(['default — deployed', 'staging — not deployed']);
    await expect(picker().inputValue()).resolves.toBe('default');
    await expect(descriptionOf(picker())).resolves.toContain('Network “default” is deployed.');
    await picker().selectOption('staging');
    await expect(descriptionOf(picker())).resolves.toContain('Network “staging” is not deployed yet');
  });

  it('creates a network inline: the service’s form keeps what was typed, and the new one is chosen', async () => {
    await page.getByLabel('Service id').fill('kept');
    await page.getByLabel('Message').fill('typed before the network');
    await page.getByLabel('port').fill('9090');
    await page.getByRole('button', { name: 'New network…' }).click();
    await expect(
      page.getByRole('button', { name: 'New network…' }).getAttribute('aria-expanded'),
    ).resolves.toBe('true');
    // Both networks exist: no name is offered, rather than one that would be refused.
    const name = inline().getByLabel('Network name');
    await expect(name.inputValue()).resolves.toBe('');
    await expect(name.evaluate((el) => el === document.activeElement)).resolves.toBe(true);

    // A refused name is said next to its field; nothing is created, nothing is lost.
    await name.fill('Not_A_Name');
    await inline().getByRole('button', { name: 'Create network' }).click();
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    await expect(descriptionOf(name)).resolves.toMatch(/Not_A_Name/);
    expect((await api.gql('{ networks { name } }')).networks).toHaveLength(2);

    // Enter creates the network; it does not submit the service.
    await name.fill('backend');
    await name.press('Enter');
    await expect.poll(() => inline().count()).toBe(0);
    await expect(picker().inputValue()).resolves.toBe('backend');
    await expect
      .poll(() => picker().locator('option').allTextContents())
      .toEqual(['backend — not deployed', 'default — deployed', 'staging — not deployed']);
    expect(new URL(page.url()).pathname).toBe('/catalog/echo');
    await expect(page.getByLabel('Service id').inputValue()).resolves.toBe('kept');
    await expect(page.getByLabel('Message').inputValue()).resolves.toBe('typed before the network');
    await expect(page.getByLabel('port').inputValue()).resolves.toBe('9090');
    const { networks } = await api.gql('{ networks { name provider deployed } }');
    expect(networks).toContainEqual({ name: 'backend', provider: 'LOCAL', deployed: false });

    // Opened again, it offers no name: every one it would offer is taken.
    await page.getByRole('button', { name: 'New network…' }).click();
    await expect(inline().getByLabel('Network name').inputValue()).resolves.toBe('');
    await inline().getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => inline().count()).toBe(0);
  });

  it('saves the service on the new network; Plan waits for it to be deployed, linking to it', async () => {
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByRole('heading', { name: 'kept', level: 1 }).waitFor();
    const { service } = await api.gql('{ service(id: "kept") { networkName params } }');
    expect(service).toMatchObject({
      networkName: 'backend',
      params: { message: 'typed before the network' },
    });
    const plan = page.getByRole('button', { name: 'Plan', exact: true });
    await expect(plan.isDisabled()).resolves.toBe(true);
    await expect(descriptionOf(plan)).resolves.toBe(
      'Plan needs the network “backend” deployed first: Open the network “backend” to plan and apply it.',
    );
    await page.getByRole('link', { name: 'Open the network “backend”' }).click();
    await page.getByRole('heading', { name: 'Network backend' }).waitFor();
  });

  it('Plan waits for a missing network too, and the link opens its form filled in', async () => {
    await api.gql(
      'mutation { createService(input: { serviceId: "lost", templateId: "echo", networkName: "nowhere", params: { message: "hi" } }) { __typename } }',
    );
    await page.goto(`${stack.origin}/services/lost`);
    const plan = page.getByRole('button', { name: 'Plan', exact: true });
    await plan.waitFor();
    await expect(plan.isDisabled()).resolves.toBe(true);
    await expect(descriptionOf(plan)).resolves.toContain(
      'Plan needs the network “nowhere”, which does not exist yet',
    );
    await page.getByRole('link', { name: 'Create the network “nowhere”' }).first().click();
    await page.getByRole('heading', { name: 'New network' }).waitFor();
    await expect(page.getByRole('textbox', { name: /^Name/ }).inputValue()).resolves.toBe('nowhere');
  });

  it('the networks page’s form does not offer a name that exists either', async () => {
    await page.goto(`${stack.origin}/networks`);
    await page.getByRole('link', { name: 'backend' }).waitFor();
    await expect(page.getByRole('textbox', { name: /^Name/ }).inputValue()).resolves.toBe('');
  });
});

describe('the network picker on the shipped catalog', () => {
  let real: WebStack;

  beforeAll(async () => {
    real = await startWebStack({
      distDir: path.join(dir, 'dist'),
      engine: { catalogDir: path.join(REPO_ROOT, 'catalog'), modulesDir: path.join(REPO_ROOT, 'modules') },
    });
    const realApi = await webApiAs(real, 'alice');
    await realApi.gql('mutation { createNetwork(input: { networkName: "lan" }) { __typename } }');
    await signInAt(page, `${real.origin}/catalog/postgresql`, 'alice', USERS.alice);
    await page.getByRole('heading', { name: 'New PostgreSQL service' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await real?.close();
  });

  it('asks for the network template’s fields, and saves what they show', async () => {
    await expect.poll(() => picker().inputValue()).toBe('lan');
    await page.getByLabel('Service id').fill('orders-db');
    await page.getByRole('button', { name: 'New network…' }).click();
    // "default" is free on this provider: offered.
    await expect(inline().getByLabel('Network name').inputValue()).resolves.toBe('default');
    await inline().getByLabel('Network name').fill('orders');
    const subnet = inline().getByLabel('Subnet');
    await inline().getByLabel('Isolated').check();
    await page.getByLabel('Service id').evaluate((el) => el.closest('fieldset')?.scrollIntoView());
    await saveScreenshot(page, 'new-network-inline');
    await subnet.fill('10.0.0.0/99');
    await inline().getByRole('button', { name: 'Create network' }).click();
    // The API's refusal is said next to the template's field.
    await expect.poll(() => subnet.getAttribute('aria-invalid')).toBe('true');
    await subnet.fill('172.30.5.0/24');
    await inline().getByRole('button', { name: 'Create network' }).click();
    await expect.poll(() => picker().inputValue()).toBe('orders');
    await expect(page.getByLabel('Service id').inputValue()).resolves.toBe('orders-db');
    const { network } = await (await webApiAs(real, 'alice')).gql(
      '{ network(provider: LOCAL, name: "orders") { params } }',
    );
    expect(network.params).toEqual({ subnet: '172.30.5.0/24', internal: true });
  });

  it('offers each provider’s own networks and network fields', async () => {
    await page.getByLabel('Provider').selectOption('AWS');
    await page.getByRole('button', { name: 'New network…' }).click();
    const aws = page.getByRole('group', { name: 'New AWS network' });
    await aws.getByLabel('AWS region').waitFor();
    await expect(aws.getByLabel('Subnet', { exact: true }).count()).resolves.toBe(0);
    await expect(
      picker()
        .locator('option', { hasText: /deployed/ })
        .count(),
    ).resolves.toBe(0);
  });
});

describe('the pages', () => {
  it('raised no error', () => {
    expect(pageErrors).toEqual([]);
  });
});
