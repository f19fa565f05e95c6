import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_VARIABLES, loadConfig, REPO_ROOT } from './config.js';

describe('loadConfig', () => {
  it('runs on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      development: true,
      dataDir: path.join(REPO_ROOT, '.data'),
      catalogDir: path.join(REPO_ROOT, 'catalog'),
      s3: { mode: 'embedded', port: 4001 },
      oidc: { mode: 'embedded', port: 4002, audience: 'spawnit-api' },
      rolesClaim: 'roles',
      adminRole: 'spawnit-admin',
      driftIntervalMs: 10_000,
    });
  });

  it('hands SPAWNIT_PROVIDER_ENV_* to the providers without the prefix, and nothing else', () => {
    const config = loadConfig({
      SPAWNIT_PROVIDER_ENV_AWS_ACCESS_KEY_ID: 'AKIA123',
      SPAWNIT_PROVIDER_ENV_AWS_SECRET_ACCESS_KEY: 'secret',
      SPAWNIT_PROVIDER_ENV_: 'no name',
      AWS_ACCESS_KEY_ID: 'from the shell',
    });
    expect(config.providerEnv).toEqual({ AWS_ACCESS_KEY_ID: 'AKIA123', AWS_SECRET_ACCESS_KEY: 'secret' });
    expect(loadConfig({}).providerEnv).toEqual({});
  });

  it('reads the state passphrases and the secrets keys, and names each wrong one', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const config = loadConfig({
      SPAWNIT_STATE_PASSPHRASE: 'the-new-passphrase-0123',
      SPAWNIT_STATE_PASSPHRASE_PREVIOUS: 'the-old-passphrase-0123',
      SPAWNIT_SECRETS_KEY: key,
      SPAWNIT_SECRETS_KEY_PREVIOUS: `${'ab'.repeat(32)}, ${'cd'.repeat(32)}`,
    });
    expect(config.stateEncryption).toEqual({
      passphrase: 'the-new-passphrase-0123',
      previousPassphrase: 'the-old-passphrase-0123',
      migrateUnencrypted: false,
    });
    expect(config.secretsKey).toBe(key);
    expect(config.previousSecretsKeys).toEqual(['ab'.repeat(32), 'cd'.repeat(32)]);
    expect(loadConfig({}).stateEncryption).toBeUndefined();
    const error = (() => {
      try {
        loadConfig({
          SPAWNIT_STATE_PASSPHRASE: 'too-short',
          SPAWNIT_STATE_ENCRYPTION_MIGRATE: 'yes',
          SPAWNIT_SECRETS_KEY: 'not-a-key',
          SPAWNIT_SECRETS_KEY_PREVIOUS: 'nor-this',
        });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.problems).toEqual([
      'SPAWNIT_STATE_ENCRYPTION_MIGRATE must be true or false, got "yes".',
      'SPAWNIT_STATE_PASSPHRASE must be at least 16 characters long; it has 9.',
      expect.stringMatching(/^SPAWNIT_SECRETS_KEY must be a 256-bit key/),
      expect.stringMatching(/^SPAWNIT_SECRETS_KEY_PREVIOUS must be a 256-bit key/),
    ]);
  });

  it('reads the provider mirror and the image substitution, and names a wrong one', () => {
    const config = loadConfig({
      SPAWNIT_PROVIDER_MIRROR: 'https://providers.example/',
      SPAWNIT_IMAGE_MAP: 'postgres:17.6-alpine=spawnit-local/postgres:17',
      SPAWNIT_IMAGE_MIRROR: 'mirror.local:5000/hub',
    });
    expect(config.providerMirror).toBe('https://providers.example/');
    expect(config.images).toEqual({
      map: { 'postgres:17.6-alpine': 'spawnit-local/postgres:17' },
      mirror: 'mirror.local:5000/hub',
    });
    expect(loadConfig({}).images).toEqual({ map: {}, mirror: '' });
    expect(() => loadConfig({ SPAWNIT_PROVIDER_MIRROR: '/no/such/mirror' })).toThrow(
      'SPAWNIT_PROVIDER_MIRROR points to /no/such/mirror, which does not exist.',
    );
    expect(() => loadConfig({ SPAWNIT_PROVIDER_MIRROR: 'providers' })).toThrow(/absolute folder/);
    expect(() => loadConfig({ SPAWNIT_IMAGE_MAP: 'redis:7=redis:latest' })).toThrow(/must be pinned/);
    expect(loadConfig({ SPAWNIT_PUBLISH_IP: '127.0.0.1' }).publishIp).toBe('127.0.0.1');
    expect(() => loadConfig({ SPAWNIT_PUBLISH_IP: 'localhost' })).toThrow(
      /SPAWNIT_PUBLISH_IP is "localhost"/,
    );
  });

  it('uses MinIO and Keycloak when configured, listening on every interface', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      SPAWNIT_S3_ENDPOINT: 'http://minio:9000/',
      SPAWNIT_S3_ACCESS_KEY_ID: 'k',
      SPAWNIT_S3_SECRET_ACCESS_KEY: 's',
      SPAWNIT_OIDC_ISSUER: 'https://id.example.com/realms/spawnit',
      SPAWNIT_OIDC_JWKS_URL: 'http://keycloak:8080/realms/spawnit/protocol/openid-connect/certs',
      SPAWNIT_OIDC_ROLES_CLAIM: 'realm_access.roles',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      development: false,
      s3: {
        mode: 'external',
        endpoint: 'http://minio:9000',
        bucket: 'spawnit',
        region: 'us-east-1',
        createBucket: false,
      },
      oidc: { mode: 'external', issuer: 'https://id.example.com/realms/spawnit' },
      rolesClaim: 'realm_access.roles',
    });
  });

  it('creates the bucket only when told to, and names a wrong value', () => {
    const external = { SPAWNIT_S3_ENDPOINT: 'http://s3:7070' };
    expect(loadConfig({ ...external, SPAWNIT_S3_CREATE_BUCKET: 'true' }).s3).toMatchObject({
      createBucket: true,
    });
    expect(() => loadConfig({ ...external, SPAWNIT_S3_CREATE_BUCKET: 'yes' })).toThrow(
      'SPAWNIT_S3_CREATE_BUCKET must be true or false, got "yes".',
    );
    expect(() => loadConfig({ SPAWNIT_S3_CREATE_BUCKET: 'true' })).toThrow(
      'SPAWNIT_S3_CREATE_BUCKET is set but neither SPAWNIT_S3_ENDPOINT nor SPAWNIT_S3_BUCKET is',
    );
  });

  it('names every wrong variable at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: '99999',
        SPAWNIT_S3_BUCKET: 'b',
        SPAWNIT_S3_ACCESS_KEY_ID: 'only-the-id',
        SPAWNIT_OIDC_ISSUER: 'not a url',
        SPAWNIT_DRIFT_INTERVAL_MS: '-1',
        SPAWNIT_MODULES_DIR: '/does/not/exist',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'SPAWNIT_S3_ACCESS_KEY_ID and SPAWNIT_S3_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS default credentials.',
      'SPAWNIT_OIDC_ISSUER must be an http(s) URL, got "not a url".',
      'PORT must be a port (0-65535), got "99999".',
      'SPAWNIT_DRIFT_INTERVAL_MS must be milliseconds (0-86400000), got "-1".',
      'SPAWNIT_MODULES_DIR points to /does/not/exist, which does not exist.',
    ]);
  });

  it('reads the scaled-out settings, and refuses those that cannot work, without echoing the password', () => {
    const s3 = {
      SPAWNIT_S3_ENDPOINT: 'http://127.0.0.1:9000',
      SPAWNIT_S3_ACCESS_KEY_ID: 'id',
      SPAWNIT_S3_SECRET_ACCESS_KEY: 'secret-key',
    };
    const url = 'postgres://spawnit:pa55word@127.0.0.1:5432/spawnit';
    expect(loadConfig({ ...s3, SPAWNIT_DATABASE_URL: url, SPAWNIT_ROLE: 'worker' })).toMatchObject({
      databaseUrl: url,
      role: 'worker',
      workerConcurrency: 2,
    });
    expect(loadConfig({})).toMatchObject({ databaseUrl: undefined, role: 'all' });
    const refused = (env: Record<string, string>, entry?: 'api' | 'worker') => {
      try {
        loadConfig(env, undefined, entry);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refused({ SPAWNIT_ROLE: 'api' })).toContain('SPAWNIT_ROLE=api needs SPAWNIT_DATABASE_URL');
    expect(refused({ SPAWNIT_DATABASE_URL: url })).toContain('must share S3 too');
    const bad = refused({ ...s3, SPAWNIT_DATABASE_URL: 'mysql://root:pa55word@db/x' });
    expect(bad).toContain('SPAWNIT_DATABASE_URL must be a postgres://');
    expect(bad).not.toContain('pa55word');
    expect(refused({ ...s3, SPAWNIT_DATABASE_URL: url, SPAWNIT_ROLE: 'boss' })).toContain(
      'SPAWNIT_ROLE must be all, api or worker, got "boss"',
    );
    // The role's own entry points: `pnpm api` and `pnpm worker`.
    expect(loadConfig({ ...s3, SPAWNIT_DATABASE_URL: url }, undefined, 'api')).toMatchObject({ role: 'api' });
    expect(
      loadConfig({ ...s3, SPAWNIT_DATABASE_URL: url, SPAWNIT_ROLE: 'worker' }, undefined, 'worker'),
    ).toMatchObject({ role: 'worker' });
    expect(refused({ ...s3, SPAWNIT_DATABASE_URL: url, SPAWNIT_ROLE: 'all' }, 'worker')).toContain(
      'SPAWNIT_ROLE=all contradicts `pnpm worker`, which starts a worker: unset SPAWNIT_ROLE, or start with `pnpm start`.',
    );
    expect(refused({}, 'api')).toContain('`pnpm api` needs SPAWNIT_DATABASE_URL');
  });

  it('every variable is documented in the README and the example file', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'packages/api/README.md'), 'utf8');
    const example = readFileSync(path.join(REPO_ROOT, 'packages/api/spawnit.env.example'), 'utf8');
    for (const name of ENV_VARIABLES) {
      expect(readme, name).toContain(`\`${name}\``);
      expect(example, name).toContain(name);
    }
  });
});
