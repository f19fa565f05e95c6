/**
 * What the first-hour walks share, on the fixture and on the real stack: steps that keep their duration, the
 * job page's state, applying the plan on screen, and reading a plan's diff by role and label.
 */
import type { Browser, Locator, Page } from 'playwright-core';

/** The text of the elements describing an element (its hint, its error, why it is disabled). */
export const descriptionOf = (locator: Locator): Promise<string> =>
  locator.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );

/**
 * One row of a resource's diff on the plan page, by attribute path; a row that forces replacement says so
 * after its path, and matches too.
 */
export function diffRow(resource: Locator, attribute: string): Locator {
  const escaped = attribute.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return resource.getByRole('row').filter({
    has: resource.page().getByRole('rowheader', { name: new RegExp(`^${escaped}( forces replacement)?$`) }),
  });
}

/** A walk's steps on one page, each timed; `page` is read at each call since it is made in a `beforeAll`. */
export function createWalk(
  page: () => Page,
  options: {
    /** How long a job may take to reach a state (real tofu on a busy machine is slower). @default 90_000 */
    jobTimeoutMs?: number;
  } = {},
) {
  const timings: [string, number][] = [];
  const jobTimeoutMs = options.jobTimeoutMs ?? 90_000;

  /** The job page's state reads `state`. */
  const jobState = (state: string) =>
    page().locator('.job-meta .badge').first().filter({ hasText: state }).waitFor({ timeout: jobTimeoutMs });

  return {
    timings,
    jobState,
    /** Runs one step of the walk and keeps how long it took (see `printTimings`). */
    async step(name: string, run: () => Promise<void>) {
      const started = performance.now();
      await run();
      timings.push([name, Math.round(performance.now() - started)]);
    },
    /** Applies the plan on screen once its confirmation is accepted, and waits for the apply's page. */
    async applyThePlan(serviceOrNetwork: string) {
      await jobState('succeeded');
      await page().getByRole('button', { name: 'Apply this plan' }).click();
      await page().getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
      await page()
        .getByRole('heading', { name: new RegExp(`^Apply of ${serviceOrNetwork}`) })
        .waitFor();
    },
    /** Prints each step's duration, if any step ran. */
    printTimings(title: string) {
      if (timings.length === 0) return;
      const total = timings.reduce((sum, [, ms]) => sum + ms, 0);
      console.info(
        `${title}, step by step (ms):\n${timings.map(([name, ms]) => `  ${String(ms).padStart(6)}  ${name}`).join('\n')}\n  ${String(total).padStart(6)}  in all`,
      );
    },
  };
}

/**
 * The walker's page: a desktop window that may use the clipboard, with the errors of the app's own pages
 * (not the provider's) collected in `pageErrors`.
 */
export async function openWalkPage(
  browser: Browser,
  origin: string,
  pageErrors: string[],
  timeoutMs: number,
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  const ours = () => page.url().startsWith(origin);
  page.on('pageerror', (error) => ours() && pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && ours())
      pageErrors.push(`${message.text()} (${message.location().url})`);
  });
  return page;
}
