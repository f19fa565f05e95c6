import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { dockerObjects, realEngineOptions } from '../support/real-stack.js';
import {
  deployPostgresqlInUi,
  destroyServiceInUi,
  psqlQuery,
  readPostgresqlOutputs,
} from '../support/ui-postgresql.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';

// Once in a real browser on the real stack: PostgreSQL from its catalog card to a running database that psql
// reaches with the outputs the page shows. SPAWNIT_SCREENSHOTS=<dir> keeps a screenshot of each step.

const SCREENSHOTS = process.env.SPAWNIT_SCREENSHOTS;
let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;
let port: number;
const pageErrors: string[] = [];

async function snap(name: string) {
  if (SCREENSHOTS)
    await page.screenshot({ path: path.join(SCREENSHOTS, `stack-${name}.png`), fullPage: true });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-stack-'));
  if (SCREENSHOTS) await mkdir(SCREENSHOTS, { recursive: true });
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({
    distDir: path.join(dir, 'dist'),
    engine: realEngineOptions(),
  });
  port = await freePort();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(30_000);
  const ours = () => page.url().startsWith(stack.origin);
  page.on('pageerror', (error) => ours() && pageErrors.push(error.message));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (stack) {
    // Whatever the test reached, nothing stays in the tests' dockerd.
    const clientId = (await stack.h.engine.index.clients())[0];
    if (clientId) {
      for (const ref of [
        { clientId, serviceId: 'db' },
        { kind: 'network', clientId, provider: 'local', networkName: 'default' } as const,
      ]) {
        if (await stack.h.engine.isDeployed(ref).catch(() => false)) await stack.h.engine.destroy(ref);
      }
    }
    await stack.close();
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 300_000);

describe('PostgreSQL in chromium, on the real stack', () => {
  it('signs in, creates the service and its network, plans and applies both', async () => {
    await signInAt(page, `${stack.origin}/`, 'alice', USERS.alice);
    await deployPostgresqlInUi(page, stack.origin, { serviceId: 'db', port, snap });
  });

  it('shows the outputs; psql connects with them and runs a query', async () => {
    const outputs = await readPostgresqlOutputs(page, snap);
    expect(outputs.port).toBe(String(port));
    expect(outputs.password).toMatch(/^.{24}$/);
    const psql = await psqlQuery(outputs, 'select 6 * 7');
    expect(psql.stderr).toBe('');
    expect(psql.stdout.trim()).toBe('42');
  });

  it('destroys it from the service page: no container left', async () => {
    await destroyServiceInUi(page, 'db');
    expect(await dockerObjects('container', 'spawnit-')).toEqual(
      expect.not.arrayContaining([expect.stringMatching(/-db$/)]),
    );
    expect(pageErrors).toEqual([]);
  });
});
