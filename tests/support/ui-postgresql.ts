/**
 * The PostgreSQL walk in a real browser, shared by the tests that run it on different stacks: from the catalog
 * card to an applied service (creating its network on the way), its outputs, and its destroy.
 */
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Called after each step with a name, e.g. to keep a screenshot. */
export type Snap = (name: string) => Promise<void>;

const noSnap: Snap = async () => {};

export async function waitForJobState(page: Page, state: string): Promise<void> {
  await page.locator('.job-meta .badge').first().filter({ hasText: state }).waitFor({ timeout: 300_000 });
}

/** The catalog card to a running service: fills the form, creates the network it needs, plans and applies both. */
export async function deployPostgresqlInUi(
  page: Page,
  origin: string,
  options: { serviceId: string; port: number; snap?: Snap },
): Promise<void> {
  const snap = options.snap ?? noSnap;
  const card = page.locator('.card', { hasText: 'PostgreSQL' });
  await card.waitFor();
  await snap('01-catalog');
  await card.getByRole('link', { name: 'PostgreSQL' }).click();
  await page.getByRole('heading', { name: 'New PostgreSQL service' }).waitFor();

  await page.getByLabel('Service id').fill(options.serviceId);
  await page.getByLabel('Port').fill(String(options.port));
  await snap('02-form');
  await page.getByRole('button', { name: 'Create service' }).click();
  await page.getByRole('heading', { name: options.serviceId, level: 1 }).waitFor();

  await expect(page.getByRole('button', { name: 'Plan', exact: true }).isDisabled()).resolves.toBe(true);
  await page.locator('#plan-blocked').getByRole('link', { name: 'Create the network “default”' }).click();
  await page.getByRole('button', { name: 'Create network' }).click();
  await page.getByRole('heading', { name: 'Network default' }).waitFor();
  await page.getByRole('button', { name: 'Plan', exact: true }).click();
  await waitForJobState(page, 'succeeded');
  await page.getByRole('button', { name: 'Apply this plan' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('heading', { name: /^Apply of network default/ }).waitFor();
  await waitForJobState(page, 'succeeded');

  await page.goto(`${origin}/services/${options.serviceId}`);
  await page.getByRole('button', { name: 'Plan', exact: true }).click();
  await page.getByRole('heading', { name: `Plan of service ${options.serviceId}` }).waitFor();
  await waitForJobState(page, 'succeeded');
  const summary = page.getByRole('region', { name: 'Plan' });
  await expect(summary.locator('.count-add').textContent()).resolves.toBe('3 to add');
  await snap('03-plan');
  await page.getByRole('button', { name: 'Apply this plan' }).click();
  await page
    .getByRole('dialog', { name: `Apply this plan to service ${options.serviceId}?` })
    .getByRole('button', { name: 'Apply' })
    .click();
  await page.getByRole('heading', { name: `Apply of service ${options.serviceId}` }).waitFor();
  await waitForJobState(page, 'succeeded');
  await page.getByRole('log').getByText('Apply complete! Resources: 3 added').waitFor();
}

export interface PostgresqlOutputs {
  host: string;
  port: string;
  database: string;
  username: string;
  password: string;
}

/** The outputs the job page shows once the password is revealed. */
export async function readPostgresqlOutputs(page: Page, snap: Snap = noSnap): Promise<PostgresqlOutputs> {
  const outputs = page.getByRole('region', { name: 'Outputs' });
  await outputs.getByRole('button', { name: 'Reveal password' }).click();
  await outputs.getByRole('button', { name: 'Hide password' }).waitFor();
  await snap('04-outputs');
  const value = async (name: string) =>
    (
      await outputs
        .getByRole('row', { name: new RegExp(`^${name}`) })
        .locator('.output-value')
        .textContent()
    )?.trim() ?? '';
  return {
    host: await value('host'),
    port: await value('port'),
    database: await value('database'),
    username: await value('username'),
    password: await value('password'),
  };
}

/** What psql prints for `query` with those outputs; stderr is kept so a test shows why it could not connect. */
export async function psqlQuery(outputs: PostgresqlOutputs, query: string) {
  const { host, port, username, database, password } = outputs;
  return execa('psql', ['-h', host, '-p', port, '-U', username, '-d', database, '-tAc', query], {
    env: { PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' },
    reject: false,
  });
}

/** From the service page: the destroy, confirmed by typing the id, until its job succeeds. */
export async function destroyServiceInUi(page: Page, serviceId: string): Promise<void> {
  await page.getByRole('link', { name: `Open service ${serviceId}` }).click();
  await page.getByRole('button', { name: 'Destroy' }).click();
  const dialog = page.getByRole('dialog', { name: `Destroy ${serviceId}?` });
  await dialog.getByLabel(`Type ${serviceId} to confirm`).fill(serviceId);
  await dialog.getByRole('button', { name: 'Destroy' }).click();
  await page.getByRole('heading', { name: `Destroy of service ${serviceId}` }).waitFor();
  await waitForJobState(page, 'succeeded');
}
