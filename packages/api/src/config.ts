import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ImageSettingError,
  type ImageSubstitution,
  ProviderMirrorError,
  parseImageSubstitution,
  parseMasterKey,
  parseProviderMirror,
  parsePublishIp,
  SecretKeyError,
  type StateEncryptionOptions,
} from '@spawnit/engine/settings';

/** The repository root: defaults for the data, catalog and modules folders are relative to it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The S3 store: the embedded server on loopback, or MinIO / AWS S3. */
export type S3Config =
  | { mode: 'embedded'; port: number; bucket: string }
  | {
      mode: 'external';
      /** Unset for AWS S3. */
      endpoint: string | undefined;
      region: string;
      bucket: string;
      /** Unset: the AWS SDK's default chain (environment, profile, instance role). */
      accessKeyId: string | undefined;
      secretAccessKey: string | undefined;
      /** `SPAWNIT_S3_CREATE_BUCKET`: create the bucket at start when it is missing. @default false */
      createBucket: boolean;
    };

/** The identity provider: the embedded one on loopback, or Keycloak (any OIDC issuer). */
export type OidcConfig =
  | { mode: 'embedded'; port: number; audience: string }
  | { mode: 'external'; issuer: string; jwksUrl: string | undefined; audience: string };

/** Everything `main.ts` needs, read from the environment and checked. */
export interface ApiConfig {
  /** `PORT` @default 4000 */
  port: number;
  /** `SPAWNIT_HOST` @default '127.0.0.1' with an embedded server, '0.0.0.0' with external S3 and OIDC */
  host: string;
  /** GraphiQL and introspection: on unless `NODE_ENV=production`. */
  development: boolean;
  /** `SPAWNIT_DATA_DIR` @default `<repo>/.data` */
  dataDir: string;
  /** `SPAWNIT_CATALOG_DIR` @default `<repo>/catalog` */
  catalogDir: string;
  /** `SPAWNIT_MODULES_DIR` @default `<repo>/modules` */
  modulesDir: string;
  /** `SPAWNIT_TOFU_BIN` @default `tofu` on PATH, else `terraform` */
  tofuBin: string | undefined;
  s3: S3Config;
  oidc: OidcConfig;
  /** `SPAWNIT_OIDC_ROLES_CLAIM` (a dotted path for nested claims) @default 'roles' */
  rolesClaim: string;
  /** `SPAWNIT_OIDC_ADMIN_ROLE` @default 'spawnit-admin' */
  adminRole: string;
  /** `SPAWNIT_DRIFT_INTERVAL_MS`; 0 turns the drift loop off. @default 10000 */
  driftIntervalMs: number;
  /** `SPAWNIT_CORS_ORIGINS`, comma-separated. @default any origin */
  corsOrigins: string[] | undefined;
  /** `SPAWNIT_MAX_BODY_BYTES` @default 102400 */
  maxBodyBytes: number;
  /** `SPAWNIT_MAX_SUBSCRIPTIONS_PER_USER` @default 20 */
  maxSubscriptionsPerUser: number;
  /** `SPAWNIT_MAX_SUBSCRIPTIONS_PER_SOCKET` @default 10 */
  maxSubscriptionsPerSocket: number;
  /** `SPAWNIT_MAX_QUEUED_JOBS_PER_TARGET` @default 5 */
  maxQueuedJobsPerTarget: number;
  /**
   * `SPAWNIT_DATABASE_URL` (`postgres://…`): the scaled-out mode. The index, the queue of runs, the logs of
   * running jobs and the events between processes live in PostgreSQL; S3 keeps what it keeps. @default none
   */
  databaseUrl: string | undefined;
  /**
   * `SPAWNIT_ROLE`, with a database: `api` (GraphQL, no runs), `worker` (runs tofu, no HTTP) or `all` (both in
   * this process). @default 'all'
   */
  role: 'all' | 'api' | 'worker';
  /** `SPAWNIT_WORKER_CONCURRENCY`: runs a worker takes at once. @default 2 */
  workerConcurrency: number;
  /** `SPAWNIT_OPERATION_TIMEOUT_MS`: how long a query or mutation may run. @default 10000 */
  operationTimeoutMs: number;
  /**
   * `SPAWNIT_PROVIDER_ENV_<NAME>`: environment for tofu's providers, as `<NAME>` (e.g.
   * `SPAWNIT_PROVIDER_ENV_AWS_ACCESS_KEY_ID` for the AWS services). The engine otherwise strips cloud
   * credentials from tofu's environment, so they can never be mistaken for the state store's.
   */
  providerEnv: Record<string, string>;
  /**
   * `SPAWNIT_PROVIDER_MIRROR`: an absolute folder laid out as a provider filesystem mirror, or an `https://`
   * network mirror; the only place providers come from when set. @default the providers' registries
   */
  providerMirror: string | undefined;
  /**
   * `SPAWNIT_IMAGE_MAP` (JSON object, or `from=to,...`) and `SPAWNIT_IMAGE_MIRROR` (a registry prefix): images
   * that replace the modules' official ones. @default none
   */
  images: ImageSubstitution;
  /** `SPAWNIT_PUBLISH_IP`: the host address local services publish their ports on. @default every address */
  publishIp: string | undefined;
  /**
   * `SPAWNIT_STATE_PASSPHRASE` (>= 16 characters), `SPAWNIT_STATE_PASSPHRASE_PREVIOUS` (during a rotation) and
   * `SPAWNIT_STATE_ENCRYPTION_MIGRATE=true` (to read states written before encryption): OpenTofu's state and
   * plan encryption. @default with the embedded S3, a passphrase generated at first start; else none
   */
  stateEncryption: StateEncryptionOptions | undefined;
  /**
   * `SPAWNIT_SECRETS_KEY` (64 hex digits or base64 of 32 bytes) seals `terraform.tfvars.json`;
   * `SPAWNIT_SECRETS_KEY_PREVIOUS` (comma-separated) still opens what older keys sealed.
   * @default with the embedded S3, a key generated at first start; else none
   */
  secretsKey: string | undefined;
  previousSecretsKeys: string[];
}

/** The prefix of the variables handed to tofu's providers without it. */
export const PROVIDER_ENV_PREFIX = 'SPAWNIT_PROVIDER_ENV_';

/** Every variable the API reads, for the README and the error messages. */
export const ENV_VARIABLES = [
  'PORT',
  'NODE_ENV',
  'SPAWNIT_HOST',
  'SPAWNIT_DATA_DIR',
  'SPAWNIT_CATALOG_DIR',
  'SPAWNIT_MODULES_DIR',
  'SPAWNIT_TOFU_BIN',
  'SPAWNIT_S3_ENDPOINT',
  'SPAWNIT_S3_REGION',
  'SPAWNIT_S3_BUCKET',
  'SPAWNIT_S3_CREATE_BUCKET',
  'SPAWNIT_S3_ACCESS_KEY_ID',
  'SPAWNIT_S3_SECRET_ACCESS_KEY',
  'SPAWNIT_EMBEDDED_S3_PORT',
  'SPAWNIT_OIDC_ISSUER',
  'SPAWNIT_OIDC_JWKS_URL',
  'SPAWNIT_OIDC_AUDIENCE',
  'SPAWNIT_OIDC_CLIENT_ID',
  'SPAWNIT_OIDC_ROLES_CLAIM',
  'SPAWNIT_OIDC_ADMIN_ROLE',
  'SPAWNIT_EMBEDDED_OIDC_PORT',
  'SPAWNIT_DRIFT_INTERVAL_MS',
  'SPAWNIT_CORS_ORIGINS',
  'SPAWNIT_MAX_BODY_BYTES',
  'SPAWNIT_MAX_SUBSCRIPTIONS_PER_USER',
  'SPAWNIT_MAX_SUBSCRIPTIONS_PER_SOCKET',
  'SPAWNIT_MAX_QUEUED_JOBS_PER_TARGET',
  'SPAWNIT_DATABASE_URL',
  'SPAWNIT_ROLE',
  'SPAWNIT_WORKER_CONCURRENCY',
  'SPAWNIT_OPERATION_TIMEOUT_MS',
  'SPAWNIT_PROVIDER_MIRROR',
  'SPAWNIT_IMAGE_MAP',
  'SPAWNIT_IMAGE_MIRROR',
  'SPAWNIT_PUBLISH_IP',
  'SPAWNIT_STATE_PASSPHRASE',
  'SPAWNIT_STATE_PASSPHRASE_PREVIOUS',
  'SPAWNIT_STATE_ENCRYPTION_MIGRATE',
  'SPAWNIT_SECRETS_KEY',
  'SPAWNIT_SECRETS_KEY_PREVIOUS',
] as const;

type Env = Record<string, string | undefined>;

/** The configuration is wrong; `problems` has one line per variable, each naming it. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`The configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** What a process started by a role's own entry point (`pnpm api`, `pnpm worker`) is, whatever SPAWNIT_ROLE. */
export type EntryRole = 'api' | 'worker';

/**
 * Reads the API's configuration from the environment. Nothing set: the embedded defaults. `entry` is the role
 * of the entry point that started the process, when it has one; SPAWNIT_ROLE may then only repeat it.
 */
export function loadConfig(env: Env = process.env, root = REPO_ROOT, entry?: EntryRole): ApiConfig {
  const problems: string[] = [];
  const get = (name: string) => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number, what: string) => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be ${what} (${min}-${max}), got "${raw}".`);
      return fallback;
    }
    return value;
  };
  const url = (name: string) => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
      problems.push(`${name} must be an http(s) URL, got "${raw}".`);
      return undefined;
    }
    return raw.replace(/\/+$/, '');
  };
  const folder = (name: string, fallback: string, mustHold?: string) => {
    const dir = path.resolve(get(name) ?? fallback);
    if (mustHold && !existsSync(path.join(dir, mustHold))) {
      problems.push(
        `${name} points to ${dir}, which has no ${mustHold}${get(name) ? '' : ` (${name} is not set; this is the default)`}.`,
      );
    }
    return dir;
  };

  const s3External = get('SPAWNIT_S3_ENDPOINT') !== undefined || get('SPAWNIT_S3_BUCKET') !== undefined;
  let s3: S3Config;
  if (s3External) {
    const accessKeyId = get('SPAWNIT_S3_ACCESS_KEY_ID');
    const secretAccessKey = get('SPAWNIT_S3_SECRET_ACCESS_KEY');
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      problems.push(
        'SPAWNIT_S3_ACCESS_KEY_ID and SPAWNIT_S3_SECRET_ACCESS_KEY go together: set both, or neither to use the AWS default credentials.',
      );
    }
    const createBucket = get('SPAWNIT_S3_CREATE_BUCKET');
    if (createBucket !== undefined && !['true', 'false'].includes(createBucket)) {
      problems.push(`SPAWNIT_S3_CREATE_BUCKET must be true or false, got "${createBucket}".`);
    }
    s3 = {
      mode: 'external',
      createBucket: createBucket === 'true',
      endpoint: url('SPAWNIT_S3_ENDPOINT'),
      region: get('SPAWNIT_S3_REGION') ?? 'us-east-1',
      bucket: get('SPAWNIT_S3_BUCKET') ?? 'spawnit',
      accessKeyId,
      secretAccessKey,
    };
  } else {
    for (const name of [
      'SPAWNIT_S3_REGION',
      'SPAWNIT_S3_ACCESS_KEY_ID',
      'SPAWNIT_S3_SECRET_ACCESS_KEY',
      'SPAWNIT_S3_CREATE_BUCKET',
    ]) {
      if (get(name) !== undefined) {
        problems.push(
          `${name} is set but neither SPAWNIT_S3_ENDPOINT nor SPAWNIT_S3_BUCKET is: set SPAWNIT_S3_ENDPOINT (MinIO) or SPAWNIT_S3_BUCKET (AWS S3) to use an external store, or unset ${name} for the embedded one.`,
        );
      }
    }
    s3 = {
      mode: 'embedded',
      port: integer('SPAWNIT_EMBEDDED_S3_PORT', 4001, 1, 65535, 'a port'),
      bucket: 'spawnit',
    };
  }

  const audience = get('SPAWNIT_OIDC_AUDIENCE') ?? 'spawnit-api';
  const issuer = url('SPAWNIT_OIDC_ISSUER');
  let oidc: OidcConfig;
  if (issuer !== undefined) {
    oidc = { mode: 'external', issuer, jwksUrl: url('SPAWNIT_OIDC_JWKS_URL'), audience };
  } else {
    if (get('SPAWNIT_OIDC_ISSUER') === undefined && get('SPAWNIT_OIDC_JWKS_URL') !== undefined) {
      problems.push('SPAWNIT_OIDC_JWKS_URL is set without SPAWNIT_OIDC_ISSUER: set the issuer too.');
    }
    oidc = {
      mode: 'embedded',
      port: integer('SPAWNIT_EMBEDDED_OIDC_PORT', 4002, 1, 65535, 'a port'),
      audience,
    };
  }
  if (s3.mode === 'embedded' && oidc.mode === 'embedded' && s3.port === oidc.port) {
    problems.push(
      `SPAWNIT_EMBEDDED_S3_PORT and SPAWNIT_EMBEDDED_OIDC_PORT are both ${s3.port}: use two ports.`,
    );
  }

  let providerMirror = get('SPAWNIT_PROVIDER_MIRROR');
  try {
    const source = parseProviderMirror(providerMirror);
    if (source.kind === 'filesystem' && !existsSync(source.path)) {
      problems.push(`SPAWNIT_PROVIDER_MIRROR points to ${source.path}, which does not exist.`);
    }
  } catch (error) {
    if (!(error instanceof ProviderMirrorError)) throw error;
    problems.push(error.message);
    providerMirror = undefined;
  }
  let images: ImageSubstitution = { map: {}, mirror: '' };
  try {
    images = parseImageSubstitution(get('SPAWNIT_IMAGE_MAP'), get('SPAWNIT_IMAGE_MIRROR'));
  } catch (error) {
    if (!(error instanceof ImageSettingError)) throw error;
    problems.push(error.message);
  }
  let publishIp: string | undefined;
  try {
    publishIp = parsePublishIp(get('SPAWNIT_PUBLISH_IP'));
  } catch (error) {
    if (!(error instanceof ImageSettingError)) throw error;
    problems.push(error.message);
  }

  const passphrase = get('SPAWNIT_STATE_PASSPHRASE');
  const previousPassphrase = get('SPAWNIT_STATE_PASSPHRASE_PREVIOUS');
  const migrate = get('SPAWNIT_STATE_ENCRYPTION_MIGRATE');
  if (migrate !== undefined && !['true', 'false'].includes(migrate)) {
    problems.push(`SPAWNIT_STATE_ENCRYPTION_MIGRATE must be true or false, got "${migrate}".`);
  }
  if (passphrase === undefined && (previousPassphrase !== undefined || migrate === 'true')) {
    problems.push(
      'SPAWNIT_STATE_PASSPHRASE_PREVIOUS and SPAWNIT_STATE_ENCRYPTION_MIGRATE need SPAWNIT_STATE_PASSPHRASE: set the new passphrase too.',
    );
  }
  const stateEncryption: StateEncryptionOptions | undefined =
    passphrase === undefined
      ? undefined
      : { passphrase, previousPassphrase, migrateUnencrypted: migrate === 'true' };
  for (const [name, value] of [
    ['SPAWNIT_STATE_PASSPHRASE', passphrase],
    ['SPAWNIT_STATE_PASSPHRASE_PREVIOUS', previousPassphrase],
  ] as const) {
    if (value !== undefined && value.length < 16) {
      problems.push(`${name} must be at least 16 characters long; it has ${value.length}.`);
    }
  }
  const secretsKey = get('SPAWNIT_SECRETS_KEY');
  const previousSecretsKeys = (get('SPAWNIT_SECRETS_KEY_PREVIOUS') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  for (const [name, value] of [
    ['SPAWNIT_SECRETS_KEY', secretsKey],
    ...previousSecretsKeys.map((k) => ['SPAWNIT_SECRETS_KEY_PREVIOUS', k] as const),
  ] as const) {
    if (value === undefined) continue;
    try {
      parseMasterKey(value, name);
    } catch (error) {
      if (!(error instanceof SecretKeyError)) throw error;
      problems.push(error.message);
    }
  }
  if (secretsKey === undefined && previousSecretsKeys.length > 0) {
    problems.push('SPAWNIT_SECRETS_KEY_PREVIOUS needs SPAWNIT_SECRETS_KEY: set the new key too.');
  }

  const databaseUrl = get('SPAWNIT_DATABASE_URL');
  if (databaseUrl !== undefined) {
    if (!URL.canParse(databaseUrl) || !/^postgres(ql)?:$/.test(new URL(databaseUrl).protocol)) {
      // The value holds a password: never echoed.
      problems.push('SPAWNIT_DATABASE_URL must be a postgres:// or postgresql:// URL.');
    }
    if (s3.mode === 'embedded') {
      problems.push(
        'SPAWNIT_DATABASE_URL is set but S3 is the embedded server of this process: processes that share a database must share S3 too; set SPAWNIT_S3_ENDPOINT and its credentials.',
      );
    }
  }
  const asked = get('SPAWNIT_ROLE');
  const role = entry ?? asked ?? 'all';
  const named = entry ? `\`pnpm ${entry}\`` : `SPAWNIT_ROLE=${role}`;
  if (entry && asked !== undefined && asked !== entry) {
    problems.push(
      `SPAWNIT_ROLE=${asked} contradicts \`pnpm ${entry}\`, which starts ${entry === 'api' ? 'an API process' : 'a worker'}: unset SPAWNIT_ROLE, or start with \`pnpm ${asked === 'all' ? 'start' : asked}\`.`,
    );
  } else if (!['all', 'api', 'worker'].includes(role)) {
    problems.push(`SPAWNIT_ROLE must be all, api or worker, got "${role}".`);
  } else if (role !== 'all' && databaseUrl === undefined) {
    problems.push(`${named} needs SPAWNIT_DATABASE_URL: API processes and workers meet in PostgreSQL.`);
  }

  const config: ApiConfig = {
    port: integer('PORT', 4000, 0, 65535, 'a port'),
    host:
      get('SPAWNIT_HOST') ?? (s3.mode === 'external' && oidc.mode === 'external' ? '0.0.0.0' : '127.0.0.1'),
    development: get('NODE_ENV') !== 'production',
    dataDir: path.resolve(get('SPAWNIT_DATA_DIR') ?? path.join(root, '.data')),
    catalogDir: folder('SPAWNIT_CATALOG_DIR', path.join(root, 'catalog'), 'catalog.json'),
    modulesDir: folder('SPAWNIT_MODULES_DIR', path.join(root, 'modules')),
    tofuBin: get('SPAWNIT_TOFU_BIN'),
    s3,
    oidc,
    rolesClaim: get('SPAWNIT_OIDC_ROLES_CLAIM') ?? 'roles',
    adminRole: get('SPAWNIT_OIDC_ADMIN_ROLE') ?? 'spawnit-admin',
    driftIntervalMs: integer('SPAWNIT_DRIFT_INTERVAL_MS', 10_000, 0, 86_400_000, 'milliseconds'),
    corsOrigins: get('SPAWNIT_CORS_ORIGINS')
      ?.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    maxBodyBytes: integer('SPAWNIT_MAX_BODY_BYTES', 102_400, 1024, 50_000_000, 'a size in bytes'),
    maxSubscriptionsPerUser: integer('SPAWNIT_MAX_SUBSCRIPTIONS_PER_USER', 20, 1, 10_000, 'a count'),
    maxSubscriptionsPerSocket: integer('SPAWNIT_MAX_SUBSCRIPTIONS_PER_SOCKET', 10, 1, 10_000, 'a count'),
    maxQueuedJobsPerTarget: integer('SPAWNIT_MAX_QUEUED_JOBS_PER_TARGET', 5, 1, 1_000, 'a count'),
    databaseUrl,
    role: role as ApiConfig['role'],
    workerConcurrency: integer('SPAWNIT_WORKER_CONCURRENCY', 2, 1, 64, 'a count'),
    operationTimeoutMs: integer('SPAWNIT_OPERATION_TIMEOUT_MS', 10_000, 100, 3_600_000, 'milliseconds'),
    providerEnv: Object.fromEntries(
      Object.entries(env)
        .filter(
          ([name, value]) =>
            name.startsWith(PROVIDER_ENV_PREFIX) && name.length > PROVIDER_ENV_PREFIX.length && value,
        )
        .map(([name, value]) => [name.slice(PROVIDER_ENV_PREFIX.length), value as string]),
    ),
    providerMirror,
    images,
    publishIp,
    stateEncryption,
    secretsKey,
    previousSecretsKeys,
  };
  if (!existsSync(config.modulesDir))
    problems.push(`SPAWNIT_MODULES_DIR points to ${config.modulesDir}, which does not exist.`);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
