import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { REPO_ROOT } from './paths.js';

/** The realm the bootstrap imports into Keycloak (bootstrap/instances; modules/common/configs/idp/*), as Keycloak JSON. */
export const REALM_FILE = path.join(REPO_ROOT, 'tests/fixtures/keycloak/spawnit-realm.json');
export const REALM = 'spawnit';
export const WEB_CLIENT = 'spawnit-web';
export const API_AUDIENCE = 'spawnit-api';
/** Where the API reads Keycloak's realm roles (SPAWNIT_OIDC_ROLES_CLAIM). */
export const ROLES_CLAIM = 'realm_access.roles';

/**
 * Confidential clients added for the tests only, with the password grant so a test gets a user's token
 * without a browser: `spawnit-test` gets the API audience like the web client, `other-app` does not.
 */
export const TEST_CLIENTS = {
  withAudience: { clientId: 'spawnit-test', secret: randomBytes(16).toString('hex') },
  otherAudience: { clientId: 'other-app', secret: randomBytes(16).toString('hex') },
} as const;

export interface StartKeycloakOptions {
  /** Origins of the web UI (e.g. `http://127.0.0.1:41234`): its redirect URIs, post-logout URIs, CORS. */
  webOrigins?: string[];
  /** The realm's access token lifespan. @default 300 (the realm module's `5m`) */
  accessTokenLifespanSeconds?: number;
}

export interface Keycloak {
  /** Keycloak's base URL, e.g. `http://127.0.0.1:41235`. */
  url: string;
  /** `<url>/realms/spawnit`: what the API and the UI are configured with. */
  issuer: string;
  /** Milliseconds from spawning `kc.sh` to the realm's discovery document answering. */
  startMs: number;
  /** A user's tokens through the password grant of a test client. */
  passwordGrant(
    username: string,
    password: string,
    client?: keyof typeof TEST_CLIENTS,
  ): Promise<{ accessToken: string; refreshToken: string }>;
  /** Ends every session of `username` (the admin console's "Sign out" on the user). */
  endSessions(username: string): Promise<void>;
  stop(): Promise<void>;
}

/** The Keycloak install of scripts/stack/build-keycloak.sh and its Java; throws naming what is missing. */
function keycloakInstall(): { home: string; javaHome: string } {
  const home = process.env.SPAWNIT_KEYCLOAK_HOME;
  if (!home) {
    throw new Error(
      'SPAWNIT_KEYCLOAK_HOME is unset: run the tests through vitest (its global setup runs scripts/stack/prepare.sh), or run scripts/stack/build-keycloak.sh and export SPAWNIT_KEYCLOAK_HOME=<the folder it prints>.',
    );
  }
  const marker = path.join(home, 'spawnit.env');
  if (!existsSync(path.join(home, 'bin/kc.sh')) || !existsSync(marker)) {
    throw new Error(
      `SPAWNIT_KEYCLOAK_HOME=${home} holds no Keycloak built by scripts/stack/build-keycloak.sh (no bin/kc.sh or spawnit.env): run that script.`,
    );
  }
  const javaHome = /^JAVA_HOME=(.*)$/m.exec(readFileSync(marker, 'utf8'))?.[1]?.trim() ?? '';
  if (!existsSync(path.join(javaHome, 'bin/java'))) {
    throw new Error(
      `Keycloak needs Java 21+; ${marker} names JAVA_HOME=${javaHome}, which has no bin/java: install Temurin 25 there or rerun scripts/stack/build-keycloak.sh with JAVA_HOME_KEYCLOAK set.`,
    );
  }
  return { home, javaHome };
}

/** The fixture realm, with the UI's origins and the tests' clients and lifespan. */
function realmFor(options: StartKeycloakOptions): Record<string, unknown> {
  const realm = JSON.parse(readFileSync(REALM_FILE, 'utf8')) as Record<string, unknown> & {
    clients: Record<string, unknown>[];
  };
  const origins = options.webOrigins ?? [];
  const web = realm.clients.find((client) => client.clientId === WEB_CLIENT);
  if (!web) throw new Error(`${REALM_FILE} has no client "${WEB_CLIENT}".`);
  if (origins.length > 0) {
    const uris = origins.map((origin) => `${origin}/*`);
    Object.assign(web, {
      rootUrl: origins[0],
      baseUrl: origins[0],
      redirectUris: uris,
      webOrigins: origins,
      attributes: { ...(web.attributes as object), 'post.logout.redirect.uris': uris.join('##') },
    });
  }
  const testClient = (clientId: string, secret: string, mappers: unknown[]) => ({
    clientId,
    secret,
    enabled: true,
    publicClient: false,
    clientAuthenticatorType: 'client-secret',
    standardFlowEnabled: false,
    directAccessGrantsEnabled: true,
    protocolMappers: mappers,
  });
  realm.clients.push(
    testClient(TEST_CLIENTS.withAudience.clientId, TEST_CLIENTS.withAudience.secret, [
      ...((web.protocolMappers as unknown[]) ?? []),
    ]),
    testClient(TEST_CLIENTS.otherAudience.clientId, TEST_CLIENTS.otherAudience.secret, []),
  );
  if (options.accessTokenLifespanSeconds !== undefined) {
    realm.accessTokenLifespan = options.accessTokenLifespanSeconds;
  }
  return realm;
}

async function waitFor(url: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`Keycloak exited (code ${child.exitCode}) before ${url} answered:\n${output()}`);
    }
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`Keycloak did not answer ${url} within ${timeoutMs / 1000} s:\n${output()}`);
}

/**
 * Starts Keycloak (the cached build of scripts/stack/build-keycloak.sh, `kc.sh start --optimized`) on free
 * loopback ports, with an in-memory database, and creates the `spawnit` realm through the admin REST API.
 * Slow on a small machine (about a minute): start it once per test file. Prints its start time.
 */
export async function startKeycloak(options: StartKeycloakOptions = {}): Promise<Keycloak> {
  const { home, javaHome } = keycloakInstall();
  const [port, managementPort] = [await freePort(), await freePort()];
  const adminPassword = randomBytes(16).toString('hex');
  // Its own transaction log and temporary files: the install is shared by test files running at once.
  const dataDir = await mkdtemp(path.join(tmpdir(), 'spawnit-keycloak-'));
  const started = Date.now();
  const child = spawn(
    path.join(home, 'bin/kc.sh'),
    [
      'start',
      '--optimized',
      '--http-enabled=true',
      '--hostname-strict=false',
      '--http-host=127.0.0.1',
      `--http-port=${port}`,
      `--http-management-port=${managementPort}`,
      '--cache=local',
    ],
    {
      env: {
        ...process.env,
        JAVA_HOME: javaHome,
        JAVA_OPTS_APPEND: `-Djava.io.tmpdir=${dataDir} -Dquarkus.transaction-manager.object-store.directory=${dataDir}/transaction-logs`,
        KC_BOOTSTRAP_ADMIN_USERNAME: 'admin',
        KC_BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: kc.sh runs java as a child, and stop() ends both.
      detached: true,
    },
  );
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test process that dies without stop() must not leave a Keycloak behind.
  const killOnExit = () => child.exitCode === null && child.pid && process.kill(-child.pid, 'SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGTERM');
      const killer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const issuer = `${url}/realms/${REALM}`;
  try {
    await waitFor(`http://127.0.0.1:${managementPort}/health/ready`, child, () => log, 240_000);
    let adminToken: { value: string; expires: number } | undefined;
    const token = async () => {
      if (adminToken && adminToken.expires > Date.now()) return adminToken.value;
      const response = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'admin-cli',
          username: 'admin',
          password: adminPassword,
        }),
      });
      if (!response.ok) throw new Error(`Keycloak refused its bootstrap admin: ${await response.text()}`);
      const body = (await response.json()) as { access_token: string; expires_in: number };
      adminToken = { value: body.access_token, expires: Date.now() + (body.expires_in - 10) * 1000 };
      return adminToken.value;
    };
    const adminFetch = async (pathname: string, init: RequestInit = {}) =>
      fetch(`${url}/admin/realms${pathname}`, {
        ...init,
        headers: {
          authorization: `Bearer ${await token()}`,
          'content-type': 'application/json',
          ...init.headers,
        },
      });
    const created = await adminFetch('', { method: 'POST', body: JSON.stringify(realmFor(options)) });
    if (created.status !== 201) {
      throw new Error(
        `Keycloak refused the realm of ${REALM_FILE} (${created.status}): ${await created.text()}`,
      );
    }
    await waitFor(`${issuer}/.well-known/openid-configuration`, child, () => log, 30_000);
    const startMs = Date.now() - started;
    console.info(`Keycloak started in ${(startMs / 1000).toFixed(1)} s (${url}, realm ${REALM} created)`);

    return {
      url,
      issuer,
      startMs,
      async passwordGrant(username, password, client = 'withAudience') {
        const { clientId, secret } = TEST_CLIENTS[client];
        const response = await fetch(`${issuer}/protocol/openid-connect/token`, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'password',
            client_id: clientId,
            client_secret: secret,
            username,
            password,
            scope: 'openid',
          }),
        });
        const body = (await response.json()) as Record<string, string>;
        if (!response.ok) {
          throw new Error(
            `Keycloak refused ${username}'s password grant (${response.status}): ${JSON.stringify(body)}`,
          );
        }
        return { accessToken: body.access_token!, refreshToken: body.refresh_token! };
      },
      async endSessions(username) {
        const found = await adminFetch(`/${REALM}/users?exact=true&username=${encodeURIComponent(username)}`);
        const [user] = (await found.json()) as { id: string }[];
        if (!user) throw new Error(`Keycloak has no user "${username}" in realm ${REALM}.`);
        const response = await adminFetch(`/${REALM}/users/${user.id}/logout`, { method: 'POST' });
        if (!response.ok) throw new Error(`Keycloak did not end ${username}'s sessions: ${response.status}`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
