import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';

// A part SpawnIt runs without is a notice on every page, not a crash: here Docker does not answer.

const DEAD_DOCKER = 'unix:///tmp/spawnit-no-docker-here.sock';
let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-notice-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({
    distDir: path.join(dir, 'dist'),
    engine: { providerEnv: { DOCKER_HOST: DEAD_DOCKER } },
  });
  page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(20_000);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the system notice', () => {
  it('says on every page that Docker does not answer, and what to do', async () => {
    await signInAt(page, `${stack.origin}/`, 'alice', USERS.alice);
    const notice = page.locator('.notice-warning');
    await notice.waitFor();
    await expect(notice.textContent()).resolves.toBe(
      `Docker does not answer at ${DEAD_DOCKER} (ENOENT): local services cannot run until it does; start Docker, or set DOCKER_HOST to the engine that runs them.`,
    );
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
    await expect(page.locator('.notice-warning').count()).resolves.toBe(1);
  });
});
