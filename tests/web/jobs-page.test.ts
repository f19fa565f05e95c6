import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';
import { webApiAs } from '../support/web-api.js';

// The jobs page across services and networks: what ran, on what, who asked, when and for how long, filtered
// as a user narrows it down (the filters live in the address, so a filtered list can be shared).

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
let gql: Awaited<ReturnType<typeof webApiAs>>['gql'];
let settle: Awaited<ReturnType<typeof webApiAs>>['settle'];

const rows = () => page.getByRole('table').locator('tbody tr');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-jobs-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({ distDir: path.join(dir, 'dist') });
  ({ gql, settle } = await webApiAs(stack, 'alice'));
  // A failed plan (the network is missing), a network planned and applied, a service planned and applied:
  // five jobs. (Drift checks are not jobs yet; when they become jobs they show as "Drift check".)
  await gql(
    'mutation { createService(input: { serviceId: "web", templateId: "echo", params: { message: "hi" } }) { __typename } }',
  );
  expect(await settle((await gql('mutation { planService(id: "web") { id } }')).planService.id)).toBe(
    'FAILED',
  );
  await gql('mutation { createNetwork(input: { networkName: "default" }) { __typename } }');
  const network = (await gql('mutation { planNetwork(provider: LOCAL, name: "default") { id } }')).planNetwork
    .id;
  await settle(network);
  await settle(
    (
      await gql(
        'mutation ($p: ID!) { applyNetwork(provider: LOCAL, name: "default", planJobId: $p) { id } }',
        { p: network },
      )
    ).applyNetwork.id,
  );
  const plan = (await gql('mutation { planService(id: "web") { id } }')).planService.id;
  expect(await settle(plan)).toBe('SUCCEEDED');
  await settle(
    (await gql('mutation ($p: ID!) { applyService(id: "web", planJobId: $p) { id } }', { p: plan }))
      .applyService.id,
  );
  expect((await gql('{ jobs { id } }')).jobs).toHaveLength(5);

  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(20_000);
  await signInAt(page, `${stack.origin}/jobs`, 'alice', USERS.alice);
  await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the jobs page', () => {
  it('is in the main navigation and lists every job, newest first, with its target and who asked', async () => {
    await expect(
      page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Jobs' })
        .getAttribute('aria-current'),
    ).resolves.toBe('page');
    await page.getByText('5 of 5 jobs').waitFor();
    const texts = await rows().allTextContents();
    expect(texts).toHaveLength(5);
    // Newest first: the service's apply and plan, the network's apply and plan, the failed plan.
    expect(texts[0]).toMatch(/^Applyservice websucceeded—You/);
    expect(texts[1]).toMatch(/^Planservice websucceededchangesYou/);
    expect(texts.at(-1)).toMatch(/^Planservice webfailed—You/);
    expect(texts.filter((t) => t.includes('network default (Local Docker)'))).toHaveLength(2);
  });

  it('filters by state, who asked and target, and keeps the filters in the address', async () => {
    await page.getByLabel('State').selectOption('FAILED');
    await page.getByText('1 of 5 jobs').waitFor();
    expect(new URL(page.url()).searchParams.get('state')).toBe('FAILED');
    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Asked by').selectOption('DRIFT');
    await page.getByText('No job matches these filters.').waitFor();
    await page.getByLabel('Asked by').selectOption('USER');
    await page.getByText('5 of 5 jobs').waitFor();
    await page.getByLabel('Asked by').selectOption('');
    await page.getByLabel('Service or network').fill('default');
    await page.getByText('2 of 5 jobs').waitFor();
    await page.getByLabel('Kind').selectOption('APPLY');
    await page.getByText('1 of 5 jobs').waitFor();
    // A shared address opens with the same filters.
    await page.reload();
    await page.getByText('1 of 5 jobs').waitFor();
    await expect(page.getByLabel('Kind').inputValue()).resolves.toBe('APPLY');
    await page.getByLabel('Service or network').fill('nothing-like-this');
    await page.getByText('No job matches these filters.').waitFor();
  });

  it('opens a job from its row', async () => {
    await page.goto(`${stack.origin}/jobs?q=web&state=FAILED`);
    await page.getByText('1 of 5 jobs').waitFor();
    await rows().first().getByRole('link', { name: 'Plan' }).click();
    await page.getByRole('heading', { name: 'Plan of service web' }).waitFor();
  });
});
