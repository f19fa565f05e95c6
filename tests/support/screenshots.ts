import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './paths.js';

/** Where the README's screenshots live. */
export const README_SCREENSHOTS = path.join(REPO_ROOT, 'docs/screenshots');

/**
 * Saves a PNG of the page when SPAWNIT_SCREENSHOTS is set: `1` writes the README's screenshots into
 * docs/screenshots/, any other value is a folder to write into. Does nothing otherwise.
 */
export async function saveScreenshot(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  const setting = process.env.SPAWNIT_SCREENSHOTS;
  if (!setting) return;
  const dir = setting === '1' ? README_SCREENSHOTS : path.resolve(setting);
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: options.fullPage ?? false });
}
