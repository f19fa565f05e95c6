import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { REPO_ROOT } from '../support/paths.js';
import { saveScreenshot } from '../support/screenshots.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';

// The catalog as a new user finds it, on the real catalog: each template's own icon (an SVG shipped beside
// the templates), categories written as people write them ("DevOps"), search and a category filter kept in
// the address.

const CATALOG = path.join(REPO_ROOT, 'catalog');

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const cards = () => page.locator('.card');
const count = () => page.locator('.catalog-filters + .hint');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-catalog-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({
    distDir: path.join(dir, 'dist'),
    engine: { catalogDir: CATALOG, modulesDir: path.join(REPO_ROOT, 'modules') },
  });
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && page.url().startsWith(stack.origin)) pageErrors.push(message.text());
  });
  await signInAt(page, `${stack.origin}/`, 'alice', USERS.alice);
  await page.getByRole('heading', { name: 'Catalog', level: 1 }).waitFor();
  await cards().first().waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the catalog', () => {
  it('shows each template with its own icon, drawn from the SVG beside the templates', async () => {
    const shipped = (await readdir(path.join(CATALOG, 'icons'))).filter((f) => f.endsWith('.svg'));
    expect(shipped.length).toBeGreaterThanOrEqual(8);
    const total = await cards().count();
    expect(total).toBe(8);
    for (let i = 0; i < total; i++) {
      const icon = cards().nth(i).locator('img.template-icon');
      // Loaded and drawn: a decoded SVG has a natural size.
      await expect
        .poll(() => icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
        .toBe(true);
      expect(shipped).toContain(path.basename((await icon.getAttribute('src')) ?? ''));
    }
    const svg = await fetch(`${stack.origin}/icons/postgresql.svg`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await fetch(`${stack.origin}/icons/..%2fcatalog.json`)).status).toBe(404);
    expect((await fetch(`${stack.origin}/icons/nothing-here.svg`)).status).toBe(404);
  });

  it('writes categories as people do: "DevOps", not "Devops"', async () => {
    const headings = await page.getByRole('heading', { level: 2 }).allTextContents();
    expect(headings).toEqual(['Database', 'Game', 'DevOps', 'Monitoring']);
    await expect(page.locator('.tag', { hasText: /^Devops$/ }).count()).resolves.toBe(0);
    await saveScreenshot(page, 'catalog', { fullPage: true });
  });

  it('searches by name or description, and filters by category, in the address', async () => {
    await expect(count().textContent()).resolves.toBe('8 of 8 services');
    const search = page.getByRole('searchbox', { name: 'Search' });
    await search.fill('postgres');
    await expect(count().textContent()).resolves.toBe('1 of 8 services');
    await expect(cards().locator('h3').allTextContents()).resolves.toEqual(['PostgreSQL']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('postgres');
    // By description: several words must all match.
    await search.fill('git');
    await expect(cards().locator('h3').allTextContents()).resolves.toContain('Gitea');
    await search.fill('');
    const filter = page.getByRole('group', { name: 'Category' });
    await filter.getByRole('button', { name: 'DevOps' }).click();
    await expect(filter.getByRole('button', { name: 'DevOps' }).getAttribute('aria-pressed')).resolves.toBe(
      'true',
    );
    await expect(cards().locator('h3').allTextContents()).resolves.toEqual(['Gitea', 'Jenkins']);
    expect(new URL(page.url()).searchParams.get('category')).toBe('devops');
    // A shared address opens filtered; a search with no result offers the way back.
    await page.reload();
    await expect.poll(() => cards().count()).toBe(2);
    await search.fill('minecraft');
    await page.getByText('No service matches.').waitFor();
    await page.getByRole('button', { name: 'Show them all' }).click();
    await expect(count().textContent()).resolves.toBe('8 of 8 services');
    await expect(filter.getByRole('button', { name: 'All' }).getAttribute('aria-pressed')).resolves.toBe(
      'true',
    );
  });

  it('raised no error', () => {
    expect(pageErrors).toEqual([]);
  });
});
