import { createDecipheriv, pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { SecretKeyError } from './envelope.js';

const derive = promisify(pbkdf2);

/** OpenTofu refuses shorter pbkdf2 passphrases. */
export const MIN_PASSPHRASE_LENGTH = 16;

/**
 * OWASP's figure for PBKDF2-HMAC-SHA512. OpenTofu's default (600 000) is the SHA-256 figure applied to
 * SHA-512, and tofu derives keys several times per command: it cost ~3 s per command here, this ~1 s.
 */
export const DEFAULT_PBKDF2_ITERATIONS = 210_000;

export interface StateEncryptionOptions {
  /** The pbkdf2 passphrase states and plans are encrypted with (`SPAWNIT_STATE_PASSPHRASE`), >= 16 chars. */
  passphrase: string;
  /**
   * The passphrase being rotated away from (`SPAWNIT_STATE_PASSPHRASE_PREVIOUS`): read as a fallback, never
   * written. Remove it once every state was rewritten with the new one. @default none
   */
  previousPassphrase?: string;
  /**
   * Also read states and plans written before encryption was turned on (an `unencrypted` fallback, which
   * OpenTofu only allows with `enforced = false`). For a migration only. @default false
   */
  migrateUnencrypted?: boolean;
  /** pbkdf2 rounds (SHA-512) for new writes; OpenTofu's minimum is 200 000. @default 210_000 */
  iterations?: number;
}

/** Checks the operator's passphrases before tofu does, naming the setting. */
export function assertStateEncryption(options: StateEncryptionOptions): void {
  const check = (value: string | undefined, name: string) => {
    if (value !== undefined && value.length < MIN_PASSPHRASE_LENGTH) {
      throw new SecretKeyError(
        `${name} must be at least ${MIN_PASSPHRASE_LENGTH} characters long (OpenTofu's pbkdf2 minimum); it has ${value.length}.`,
      );
    }
  };
  check(options.passphrase, 'SPAWNIT_STATE_PASSPHRASE');
  if (
    options.iterations !== undefined &&
    !(Number.isInteger(options.iterations) && options.iterations >= 200_000)
  ) {
    throw new SecretKeyError(
      `stateEncryption.iterations must be an integer of at least 200000 (OpenTofu's minimum), got ${options.iterations}.`,
    );
  }
  check(options.previousPassphrase, 'SPAWNIT_STATE_PASSPHRASE_PREVIOUS');
  if (options.previousPassphrase === options.passphrase) {
    throw new SecretKeyError(
      'SPAWNIT_STATE_PASSPHRASE_PREVIOUS equals SPAWNIT_STATE_PASSPHRASE: set it to the old passphrase, or unset it.',
    );
  }
}

// An HCL string: JSON escaping, plus the template sequences HCL would interpolate.
const hclString = (value: string) =>
  JSON.stringify(value)
    .replaceAll('${', () => '$${')
    .replaceAll('%{', () => '%%{');

/**
 * A name for a passphrase, stored in every state and plan it encrypts (`encrypted_metadata_alias`):
 * OpenTofu finds a key's salt under its provider's name, so the passphrase that wrote a state must keep
 * its name when it becomes the fallback. Derived as slowly as the state key itself (pbkdf2, 600k rounds),
 * it makes guessing the passphrase no easier than the encrypted state already does.
 */
export async function passphraseAlias(passphrase: string): Promise<string> {
  const id = await derive(passphrase, 'spawnit/state-key-alias/v1', DEFAULT_PBKDF2_ITERATIONS, 8, 'sha512');
  return `spawnit-${id.toString('hex')}`;
}

/** The settings with each passphrase's alias, as `renderEncryptionConfig` needs them. */
export interface ResolvedStateEncryption extends StateEncryptionOptions {
  alias: string;
  previousAlias: string | undefined;
}

export async function resolveStateEncryption(
  options: StateEncryptionOptions,
): Promise<ResolvedStateEncryption> {
  assertStateEncryption(options);
  return {
    ...options,
    alias: await passphraseAlias(options.passphrase),
    previousAlias:
      options.previousPassphrase === undefined
        ? undefined
        : await passphraseAlias(options.previousPassphrase),
  };
}

const keyProvider = (name: string, passphrase: string, alias: string, iterations: number) =>
  `key_provider "pbkdf2" "${name}" {\n  passphrase               = ${hclString(passphrase)}\n  encrypted_metadata_alias = ${hclString(alias)}\n  hash_function            = "sha512"\n  iterations               = ${iterations}\n}`;

/**
 * The `encryption` block body OpenTofu reads from `TF_ENCRYPTION`: pbkdf2 + AES-GCM for state and plans,
 * the previous passphrase as a fallback. Given through the environment, so no root config carries it.
 */
export function renderEncryptionConfig(options: ResolvedStateEncryption): string {
  // Reading uses the rounds stored with each state; this only sets them for new writes.
  const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  const lines = [
    keyProvider('current', options.passphrase, options.alias, iterations),
    'method "aes_gcm" "current" {\n  keys = key_provider.pbkdf2.current\n}',
  ];
  const fallbacks: string[] = [];
  if (options.previousPassphrase !== undefined && options.previousAlias !== undefined) {
    lines.push(
      keyProvider('previous', options.previousPassphrase, options.previousAlias, iterations),
      'method "aes_gcm" "previous" {\n  keys = key_provider.pbkdf2.previous\n}',
    );
    fallbacks.push('method.aes_gcm.previous');
  }
  if (options.migrateUnencrypted) {
    lines.push('method "unencrypted" "migrate" {}');
    fallbacks.push('method.unencrypted.migrate');
  }
  // A fallback holds one method and may hold its own fallback: nest them in order.
  const fallbackBlock = (rest: string[], indent: string): string =>
    rest.length === 0
      ? ''
      : `\n${indent}fallback {\n${indent}  method = ${rest[0]}${fallbackBlock(rest.slice(1), `${indent}  `)}\n${indent}}`;
  for (const target of ['state', 'plan']) {
    lines.push(
      `${target} {\n  method   = method.aes_gcm.current\n  enforced = ${!options.migrateUnencrypted}${fallbackBlock(fallbacks, '  ')}\n}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** What OpenTofu writes in place of a state or plan: its `basedata`. */
interface EncryptedPayload {
  serial?: number;
  lineage?: string;
  meta?: Record<string, string>;
  encrypted_data?: string;
  encryption_version?: string;
}

interface Pbkdf2Meta {
  salt: string;
  iterations: number;
  hash_function: 'sha256' | 'sha512';
  key_length: number;
}

export function isEncryptedPayload(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as EncryptedPayload).encryption_version === 'string' &&
    typeof (value as EncryptedPayload).encrypted_data === 'string'
  );
}

/**
 * Decrypts states and plans OpenTofu encrypted with `renderEncryptionConfig`, in process (the engine reads
 * state for `isDeployed` and outputs without a tofu process per read). Derived keys are cached by salt: a
 * state read again and again (the drift loop) costs one pbkdf2 run per write, not per read.
 */
export function createStateDecrypter(options: StateEncryptionOptions | undefined) {
  const cache = new Map<string, Buffer>();
  const passphrases = [options?.passphrase, options?.previousPassphrase].filter(
    (p): p is string => p !== undefined,
  );

  async function keyFor(passphrase: string, meta: Pbkdf2Meta): Promise<Buffer> {
    const cacheKey = `${passphrase.length}:${passphrase}\0${meta.salt}\0${meta.iterations}\0${meta.hash_function}\0${meta.key_length}`;
    let key = cache.get(cacheKey);
    if (!key) {
      if (
        meta.iterations > 10_000_000 ||
        meta.key_length > 64 ||
        !['sha256', 'sha512'].includes(meta.hash_function)
      ) {
        throw new SecretKeyError('The state names key-derivation settings SpawnIt does not accept.');
      }
      key = await derive(
        passphrase,
        Buffer.from(meta.salt, 'base64'),
        meta.iterations,
        meta.key_length,
        meta.hash_function,
      );
      if (cache.size > 1000) cache.clear();
      cache.set(cacheKey, key);
    }
    return key;
  }

  /** The plaintext of an OpenTofu payload; a payload that is not encrypted is returned as it is. */
  return async function decrypt(body: Buffer, what: string): Promise<Buffer> {
    let payload: EncryptedPayload;
    try {
      payload = JSON.parse(body.toString('utf8')) as EncryptedPayload;
    } catch {
      return body;
    }
    if (!isEncryptedPayload(payload)) return body;
    if (payload.encryption_version !== 'v0') {
      throw new SecretKeyError(
        `${what} uses OpenTofu encryption version ${payload.encryption_version}, which SpawnIt cannot read.`,
      );
    }
    const data = Buffer.from(payload.encrypted_data!, 'base64');
    // pbkdf2's metadata (salt, rounds), under the provider's alias or its address.
    const metas = Object.values(payload.meta ?? {})
      .map((value) => {
        try {
          return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Partial<Pbkdf2Meta>;
        } catch {
          return {};
        }
      })
      .filter((m): m is Pbkdf2Meta => typeof m.salt === 'string' && typeof m.iterations === 'number');
    if (passphrases.length === 0 || metas.length === 0) {
      throw new SecretKeyError(
        passphrases.length === 0
          ? `${what} is encrypted but SPAWNIT_STATE_PASSPHRASE is not set: set the passphrase it was written with.`
          : `${what} is encrypted with a key provider other than pbkdf2, which SpawnIt cannot read itself.`,
      );
    }
    for (const meta of metas) {
      for (const passphrase of passphrases) {
        const key = await keyFor(passphrase, meta);
        try {
          const decipher = createDecipheriv(
            `aes-${key.length * 8}-gcm` as 'aes-256-gcm',
            key,
            data.subarray(0, 12),
          );
          decipher.setAuthTag(data.subarray(data.length - 16));
          return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
        } catch {
          // The next passphrase: a state not yet rewritten since a rotation is under the previous one.
        }
      }
    }
    throw new SecretKeyError(
      `${what} could not be decrypted with SPAWNIT_STATE_PASSPHRASE${options?.previousPassphrase ? ' nor SPAWNIT_STATE_PASSPHRASE_PREVIOUS' : ''}: set the passphrase it was written with (as SPAWNIT_STATE_PASSPHRASE_PREVIOUS during a rotation).`,
    );
  };
}

export type StateDecrypter = ReturnType<typeof createStateDecrypter>;
