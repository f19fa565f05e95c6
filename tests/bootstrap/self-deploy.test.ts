import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseImageSubstitution } from '@spawnit/engine';
import { execa } from 'execa';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { REPO_ROOT } from '../support/paths.js';
import { docker, dockerObjects, realStack } from '../support/real-stack.js';
import {
  deployPostgresqlInUi,
  destroyServiceInUi,
  psqlQuery,
  readPostgresqlOutputs,
} from '../support/ui-postgresql.js';

// SpawnIt deploys itself on the tests' dockerd: bootstrap/all-deploy.sh builds the four images from this
// repository (on the local Debian base), applies volumes, network and instances, and waits for real readiness.
// Then a user signs in through the deployed Keycloak in Chromium, deploys a real PostgreSQL through the deployed
// SpawnIt, reads its outputs and destroys it; a second run changes nothing, an upgrade of the backend is one
// apply that keeps the data, and `destroy --volumes` leaves nothing behind.

const SCRIPT = path.join(REPO_ROOT, 'bootstrap/all-deploy.sh');
const PREFIX = `spawnit-e2e-${randomBytes(3).toString('hex')}`;
const NEW_PASSWORD = `Chosen-${randomBytes(6).toString('hex')}`;

let dir: string;
let env: Record<string, string>;
let ports: Record<'frontend' | 'keycloak' | 'keycloak_management' | 's3' | 'backend', number>;
let frontend: string;
let browser: Browser;
let page: Page;
/** The signed-in user's id: the owner part of the names of the containers SpawnIt deploys for them. */
let clientId: string | undefined;
let containerIds: Record<string, string>;

interface Run {
  exitCode: number | undefined;
  output: string;
  seconds: number;
}

async function allDeploy(args: string[], extra: Record<string, string> = {}): Promise<Run> {
  const started = performance.now();
  const result = await execa('bash', [SCRIPT, ...args], {
    env: { ...env, ...extra },
    all: true,
    reject: false,
    timeout: 45 * 60_000,
  });
  return {
    exitCode: result.exitCode,
    output: result.all ?? '',
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

/** The end of a run's output, enough to see why it failed. */
const tail = (run: Run) => run.output.split('\n').slice(-40).join('\n');

/** Names of this deployment's containers and of everything SpawnIt deployed for the signed-in user. */
async function leftovers(kind: 'container' | 'network' | 'volume') {
  const ours = await dockerObjects(kind, PREFIX);
  const theirs = clientId ? await dockerObjects(kind, `spawnit-${clientId}-`) : [];
  return [...ours, ...theirs];
}

async function inspect(name: string, format: string): Promise<string> {
  const result = await docker('inspect', '--format', format, name);
  return result.exitCode === 0 ? result.stdout.trim() : `missing (${result.stderr.trim()})`;
}

/** The signed-in user of the web app, from oidc-client-ts's session storage. */
async function session(): Promise<{ sub: string; accessToken: string }> {
  return page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'));
    const user = key ? JSON.parse(sessionStorage.getItem(key) ?? '{}') : {};
    return { sub: user.profile?.sub ?? '', accessToken: user.access_token ?? '' };
  });
}

/** A GraphQL request through the deployed frontend's /graphql, as the signed-in user. */
async function graphql(query: string): Promise<{ data?: Record<string, unknown>; errors?: unknown[] }> {
  const { accessToken } = await session();
  const response = await fetch(`${frontend}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

beforeAll(async () => {
  const stack = realStack();
  dir = await mkdtemp(path.join(tmpdir(), 'spawnit-self-deploy-'));
  ports = {
    frontend: await freePort(),
    keycloak: await freePort(),
    keycloak_management: await freePort(),
    s3: await freePort(),
    backend: await freePort(),
  };
  frontend = `http://127.0.0.1:${ports.frontend}`;
  // Everything on loopback, with the local images in place of the official ones the modules name.
  const varFile = path.join(dir, 'test.tfvars.json');
  await writeFile(
    varFile,
    JSON.stringify({
      name_prefix: PREFIX,
      public_host: '127.0.0.1',
      public_bind_address: '127.0.0.1',
      services_publish_ip: '127.0.0.1',
      ports,
      image_map: parseImageSubstitution(stack.imageMap).map,
    }),
  );
  const baseImage = process.env.SPAWNIT_LOCAL_BASE_IMAGE;
  if (!baseImage)
    throw new Error('SPAWNIT_LOCAL_BASE_IMAGE is unset: run the tests through vitest (prepare.sh).');
  // This machine's TLS-inspecting proxy: the image builds trust what the host trusts.
  const caBundle = process.env.SSL_CERT_FILE ?? '/etc/ssl/certs/ca-certificates.crt';
  env = {
    ...(process.env as Record<string, string>),
    SPAWNIT_VAR_FILE: varFile,
    SPAWNIT_STATE_DIR: path.join(dir, 'state'),
    SPAWNIT_BASE_IMAGE: baseImage,
    SPAWNIT_ASSUME_YES: '1',
    SPAWNIT_READY_TIMEOUT: '300',
    ...(existsSync(caBundle) ? { SPAWNIT_BUILD_CA_CERTS: caBundle } : {}),
  };
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(60_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (env) {
    // Whatever the test reached: SpawnIt's containers and volumes, and what it deployed for the user.
    await allDeploy(['destroy', '--volumes']);
    for (const kind of ['container', 'network', 'volume'] as const) {
      for (const name of await leftovers(kind)) {
        await docker(...(kind === 'container' ? ['rm', '-f', name] : [kind, 'rm', name]));
      }
    }
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 600_000);

describe('SpawnIt deploys itself with bootstrap/all-deploy.sh', () => {
  it(
    'goes from nothing to a healthy deployment a user can sign in to, with no fixed sleep',
    async () => {
      expect(await leftovers('container')).toEqual([]);
      const run = await allDeploy([]);
      expect(run.exitCode, tail(run)).toBe(0);
      const up = /SpawnIt is up after (\d+) s/.exec(run.output);
      const images = /images ready after (\d+) s/.exec(run.output);
      console.log(
        `all-deploy.sh from nothing: ${run.seconds} s in all, images ready after ${images?.[1]} s, signed-in-ready after ${up?.[1]} s (the seed slept 80 s).`,
      );
      expect(up).not.toBeNull();
      const names = ['s3', 'keycloak', 'backend', 'frontend'].map((role) => `${PREFIX}-${role}`);
      expect((await dockerObjects('container', PREFIX)).sort()).toEqual([...names].sort());
      for (const name of names) expect(await inspect(name, '{{.State.Health.Status}}'), name).toBe('healthy');
      containerIds = Object.fromEntries(
        await Promise.all(names.map(async (name) => [name, await inspect(name, '{{.Id}}')])),
      );
      // The backend runs the product's own OpenTofu against the mirror baked into its image.
      const tofu = await docker('exec', `${PREFIX}-backend`, 'tofu', 'version');
      expect(tofu.stdout).toMatch(/^OpenTofu v\d+\.\d+\.\d+/);
    },
    45 * 60_000,
  );

  it('signs a user in through the deployed Keycloak, who sets a new password and lands in the catalog', async () => {
    const state = path.join(dir, 'state');
    const passwords = await execa(
      realStack().tofuBin,
      [`-chdir=${path.join(REPO_ROOT, 'bootstrap/instances')}`, 'output', '-json', 'default_user_passwords'],
      {
        env: {
          ...env,
          TF_DATA_DIR: path.join(state, '.terraform/instances'),
          TF_CLI_CONFIG_FILE: path.join(state, 'tofu.rc'),
        },
      },
    );
    const { admin } = JSON.parse(passwords.stdout) as { admin: string };
    expect(admin).toMatch(/^[0-9a-f]{24}$/);

    await page.goto(`${frontend}/`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.port === String(ports.keycloak));
    await page.locator('#username').fill('admin');
    await page.locator('#password').fill(admin);
    await page.locator('#kc-login').click();
    // The password from the deployment is temporary: Keycloak asks for the user's own.
    await page.locator('#password-new').fill(NEW_PASSWORD);
    await page.locator('#password-confirm').fill(NEW_PASSWORD);
    await page.locator('[type=submit]').click();
    await page.waitForURL((url) => url.href.startsWith(frontend));
    await page.locator('.card', { hasText: 'PostgreSQL' }).waitFor();
    clientId = (await session()).sub;
    expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('deploys a real PostgreSQL through the deployed SpawnIt; psql reaches it with the outputs shown', async () => {
    const port = await freePort();
    await deployPostgresqlInUi(page, frontend, { serviceId: 'db', port });
    const outputs = await readPostgresqlOutputs(page);
    expect(outputs.port).toBe(String(port));
    const psql = await psqlQuery(outputs, 'select 6 * 7');
    expect(psql.stderr).toBe('');
    expect(psql.stdout.trim()).toBe('42');
    // The deployed backend made it, on the same engine, with the local image in place of postgres:17.6-alpine.
    expect(await leftovers('container')).toContain(`spawnit-${clientId}-db`);
  }, 600_000);

  it('destroys the service and its network through the deployed SpawnIt', async () => {
    await destroyServiceInUi(page, 'db');
    const destroyed = await graphql('mutation { destroyNetwork(provider: LOCAL, name: "default") { id } }');
    expect(destroyed.errors).toBeUndefined();
    const deployedForUser = async () => [
      ...(await dockerObjects('container', `spawnit-${clientId}-`)),
      ...(await dockerObjects('network', `spawnit-${clientId}-`)),
    ];
    await expect.poll(deployedForUser, { timeout: 180_000, interval: 1000 }).toEqual([]);
  }, 600_000);

  it(
    'changes nothing when run again: the plan of every step is empty',
    async () => {
      const again = await allDeploy([]);
      expect(again.exitCode, tail(again)).toBe(0);
      console.log(`all-deploy.sh on a deployed system: ${again.seconds} s`);
      const plan = await allDeploy(['plan']);
      expect(plan.exitCode, tail(plan)).toBe(0);
      expect(plan.output).toContain('volumes: no changes');
      expect(plan.output).toContain('network: no changes');
      expect(plan.output).toContain('instances: no changes');
      for (const [name, id] of Object.entries(containerIds))
        expect(await inspect(name, '{{.Id}}'), name).toBe(id);
    },
    45 * 60_000,
  );

  it(
    'upgrades the backend and frontend in one apply, keeping S3, Keycloak and the data',
    async () => {
      const upgrade = await allDeploy([], { SPAWNIT_VERSION: `upgrade-${randomBytes(3).toString('hex')}` });
      expect(upgrade.exitCode, tail(upgrade)).toBe(0);
      console.log(`all-deploy.sh upgrading the backend and frontend: ${upgrade.seconds} s`);
      const kept = [`${PREFIX}-s3`, `${PREFIX}-keycloak`];
      const replaced = [`${PREFIX}-backend`, `${PREFIX}-frontend`];
      for (const name of kept) expect(await inspect(name, '{{.Id}}'), name).toBe(containerIds[name]);
      for (const name of replaced) expect(await inspect(name, '{{.Id}}'), name).not.toBe(containerIds[name]);
      // The same session still works, and the service (destroyed, not deleted) is still there: the data is in S3.
      await page.reload();
      const services = await graphql('{ services { id deployed } }');
      expect(services.errors).toBeUndefined();
      expect(services.data?.services).toEqual([{ id: 'db', deployed: false }]);
    },
    45 * 60_000,
  );

  it('destroy --volumes removes everything: no container, network or volume is left', async () => {
    const destroy = await allDeploy(['destroy', '--volumes']);
    expect(destroy.exitCode, tail(destroy)).toBe(0);
    expect(await leftovers('container')).toEqual([]);
    expect(await leftovers('network')).toEqual([]);
    expect(await leftovers('volume')).toEqual([]);
  }, 600_000);
});
