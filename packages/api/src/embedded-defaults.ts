import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type { S3StoreOptions } from '@spawnit/engine';

// `@spawnit/embedded` is imported only when an embedded server is used: a deployment with MinIO and
// Keycloak does not ship it (see bootstrap/images/backend.Dockerfile).

/** The embedded servers' folders under the data dir. */
export const embeddedPaths = (dataDir: string) => ({
  s3: path.join(dataDir, 's3'),
  s3Credentials: path.join(dataDir, 's3', 'credentials.json'),
  oidc: path.join(dataDir, 'oidc'),
  /** The default users' generated passwords, kept (0600) so `pnpm token <user>` works without a prompt. */
  passwords: path.join(dataDir, 'oidc', 'initial-passwords.json'),
});

/** Writes a file only its owner can read, atomically. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = path.join(path.dirname(file), `.${randomUUID()}.tmp`);
  try {
    await writeFile(tmp, content, { mode: 0o600 });
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Fails with a message naming the variable when the port is taken. Checked before starting: s3rver reports
 * a taken port as an 'error' event nobody can catch, not as a rejected start.
 */
export async function assertPortFree(port: number, variable: string, host = '127.0.0.1'): Promise<void> {
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, host, () => resolve());
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `Port ${port} on ${host} is in use (another SpawnIt running?): stop it, or set ${variable}.`,
      );
    }
    throw error;
  } finally {
    await new Promise<void>((resolve) => (probe.listening ? probe.close(() => resolve()) : resolve()));
  }
}

/**
 * The embedded S3 server on loopback, data in `<dataDir>/s3` across restarts. Its key pair is generated at
 * first start and kept (0600) beside the data, rather than a well-known default any local process could use.
 */
export async function startEmbeddedS3(dataDir: string, port: number, bucket: string) {
  const paths = embeddedPaths(dataDir);
  let credentials = await readJson<{ accessKeyId: string; secretAccessKey: string }>(paths.s3Credentials);
  if (!credentials) {
    credentials = {
      accessKeyId: `spawnit-${randomBytes(6).toString('hex')}`,
      secretAccessKey: randomBytes(24).toString('base64url'),
    };
    await writePrivateFile(paths.s3Credentials, `${JSON.stringify(credentials, null, 2)}\n`);
  }
  const { createS3Server } = await import('@spawnit/embedded');
  const server = createS3Server({ directory: paths.s3, port, buckets: [bucket], ...credentials });
  await assertPortFree(port, 'SPAWNIT_EMBEDDED_S3_PORT');
  const { endpoint } = await server.start();
  const store: S3StoreOptions = { endpoint, bucket, ...credentials };
  return { server, endpoint, store };
}

/**
 * The embedded OIDC provider on loopback, keys and users in `<dataDir>/oidc`. At the first start the
 * default users get generated passwords: they are returned to be printed, and kept (0600) for the token
 * command.
 */
export async function startEmbeddedOidc(
  dataDir: string,
  options: { port: number; audience: string; rolesClaim: string; webRedirectUris?: string[] },
) {
  const paths = embeddedPaths(dataDir);
  const { createOidcProvider } = await import('@spawnit/embedded');
  const provider = createOidcProvider({
    dataDir: paths.oidc,
    port: options.port,
    audience: options.audience,
    rolesClaim: options.rolesClaim,
    webRedirectUris: options.webRedirectUris,
  });
  await assertPortFree(options.port, 'SPAWNIT_EMBEDDED_OIDC_PORT');
  const { issuer, createdUsers } = await provider.start();
  if (createdUsers.length > 0) {
    const passwords = Object.fromEntries(createdUsers.map((u) => [u.username, u.password]));
    await writePrivateFile(
      paths.passwords,
      `${JSON.stringify({ note: 'Generated at the first start of the embedded OIDC provider. Delete this file once noted.', passwords }, null, 2)}\n`,
    );
  }
  return { provider, issuer, createdUsers, passwordsFile: paths.passwords };
}

/** A default user's generated password, from the file the first start wrote. */
export async function readInitialPassword(dataDir: string, username: string): Promise<string | undefined> {
  const saved = await readJson<{ passwords?: Record<string, string> }>(embeddedPaths(dataDir).passwords);
  return saved?.passwords?.[username];
}

/** The issuer of the embedded provider: fixed port, so tokens and the issuer survive restarts. */
export const embeddedIssuer = (port: number) => `http://127.0.0.1:${port}`;
