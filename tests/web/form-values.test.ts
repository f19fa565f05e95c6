import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../support/api.js';
import { launchChromium, signInAt } from '../support/browser.js';
import { REPO_ROOT } from '../support/paths.js';
import { buildWebUi, startWebStack, type WebStack } from '../support/web.js';

// Whatever a field of the service form shows is what is saved: every template of the shipped catalog, on every
// provider it offers, the provider switched in the form as a user does. (Switching a new service to AWS once
// showed "t3.micro" for the instance type while "t3.small" was saved.)

let dir: string;
let stack: WebStack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-web-form-'));
  browser = await launchChromium();
  await buildWebUi(path.join(dir, 'dist'));
  stack = await startWebStack({
    distDir: path.join(dir, 'dist'),
    engine: { catalogDir: path.join(REPO_ROOT, 'catalog'), modulesDir: path.join(REPO_ROOT, 'modules') },
  });
  page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(20_000);
  await signInAt(page, `${stack.origin}/`, 'alice', USERS.alice);
  await page.locator('.card').first().waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What each template field shows, as text: a select's chosen option, an input's value, a checkbox's state. */
async function shownValues(): Promise<Record<string, string>> {
  return page.locator('form [id^="param-"]').evaluateAll((elements) =>
    Object.fromEntries(
      elements
        .filter((e) => e instanceof HTMLInputElement || e instanceof HTMLSelectElement)
        .map((e) => {
          const name = e.id.slice('param-'.length);
          if (e instanceof HTMLSelectElement) return [name, e.selectedOptions[0]?.textContent ?? ''];
          const input = e as HTMLInputElement;
          return [name, input.type === 'checkbox' ? String(input.checked) : input.value];
        }),
    ),
  );
}

const combinations = () =>
  stack.h.engine.catalog.templates.flatMap((t) => Object.keys(t.modules).map((p) => [t.id, p] as const));

describe('the service form saves what it shows', () => {
  it('covers every template and provider of the catalog', () => {
    expect(combinations().length).toBeGreaterThanOrEqual(11);
  });

  it('for every template on every provider, switched in the form', async () => {
    let n = 0;
    for (const [templateId, provider] of combinations()) {
      const template = stack.h.engine.catalog.get(templateId)!;
      await page.goto(`${stack.origin}/catalog/${templateId}`);
      await page.getByLabel('Service id').waitFor();
      // Start on the other provider, then switch, as the reported bug needed.
      const providerSelect = page.getByLabel('Provider');
      const other = provider === 'local' ? 'AWS' : 'LOCAL';
      if (template.modules[other === 'AWS' ? 'aws' : 'local']) await providerSelect.selectOption(other);
      await providerSelect.selectOption(provider.toUpperCase());
      const serviceId = `form-${++n}`;
      await page.getByLabel('Service id').fill(serviceId);
      // A consent with no default (Minecraft's EULA) is the one field a user must set.
      for (const p of template.parameters.filter(
        (q) => q.type === 'boolean' && q.required && q.default === undefined,
      )) {
        await page.locator(`#param-${p.name}`).check();
      }
      const shown = await shownValues();
      await page.getByRole('button', { name: 'Create service' }).click();
      await page.getByRole('heading', { name: serviceId, level: 1 }).waitFor();
      const clientId = (await stack.h.engine.index.clients())[0]!;
      const saved = (await stack.h.engine.getService({ clientId, serviceId }))!.params;
      for (const [name, text] of Object.entries(shown)) {
        const parameter = template.parameters.find((p) => p.name === name)!;
        if (parameter.secret) continue; // generated when left empty, never shown back
        const value = saved[name];
        const expected = value === null || value === undefined ? '' : String(value);
        expect(text === '(default)' ? '' : text, `${templateId} on ${provider}: field ${name}`).toBe(
          expected,
        );
      }
    }
  });
});
