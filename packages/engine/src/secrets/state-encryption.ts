import { createDecipheriv, createHmac, pbkdf2 } from 'node:crypto';
import { chmod, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { SecretKeyError } from './envelope.js';
import { mkdirPrivate } from './owner-only.js';

const derive = promisify(pbkdf2);

/** Shorter passphrases are refused: the key is derived from it alone (OpenTofu's pbkdf2 minimum too). */
export const MIN_PASSPHRASE_LENGTH = 16;

/**
 * PBKDF2-HMAC-SHA512 rounds the engine derives each state key with, once per passphrase and process
 * (OpenTofu's own default; tofu no longer derives anything, so the rounds cost nothing per command).
 */
export const STATE_KEY_ITERATIONS = 600_000;

/** Versioned: another derivation gets another salt, and the keys it gives another alias. */
const STATE_KEY_SALT = 'spawnit/state-key/v1';

export interface StateEncryptionOptions {
  /** The passphrase states and plans are encrypted with (`SPAWNIT_STATE_PASSPHRASE`), >= 16 chars. */
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
}

/** Checks the operator's passphrases before anything derives from them, naming the setting. */
export function assertStateEncryption(options: StateEncryptionOptions): void {
  const check = (value: string | undefined, name: string) => {
    if (value !== undefined && value.length < MIN_PASSPHRASE_LENGTH) {
      throw new SecretKeyError(
        `${name} must be at least ${MIN_PASSPHRASE_LENGTH} characters long; it has ${value.length}.`,
      );
    }
  };
  check(options.passphrase, 'SPAWNIT_STATE_PASSPHRASE');
  check(options.previousPassphrase, 'SPAWNIT_STATE_PASSPHRASE_PREVIOUS');
  if (options.previousPassphrase === options.passphrase) {
    throw new SecretKeyError(
      'SPAWNIT_STATE_PASSPHRASE_PREVIOUS equals SPAWNIT_STATE_PASSPHRASE: set it to the old passphrase, or unset it.',
    );
  }
}

/** A raw AES-256 key and the name OpenTofu stores its (empty) metadata under in what it encrypts. */
export interface StateKey {
  key: Buffer;
  /** `spawnit-` and 16 hex digits, from the key: the same passphrase always gets the same alias. */
  alias: string;
}

// Engines of one process (tests, the API's restarts of it) share derivations: 600k rounds take ~0.5 s.
const derived = new Map<string, Promise<StateKey>>();

/**
 * The AES-256 key a passphrase stands for: PBKDF2-HMAC-SHA512, 600 000 rounds, a fixed versioned salt (the
 * key must be the same at every start, and tofu asks for it with no salt of its own). Its alias is an HMAC of
 * the key: a state keeps naming the key that wrote it after that key becomes the fallback.
 */
export function deriveStateKey(passphrase: string): Promise<StateKey> {
  let pending = derived.get(passphrase);
  if (!pending) {
    pending = derive(passphrase, STATE_KEY_SALT, STATE_KEY_ITERATIONS, 32, 'sha512').then((key) => ({
      key,
      alias: `spawnit-${createHmac('sha256', key).update('spawnit/state-key-alias/v1').digest('hex').slice(0, 16)}`,
    }));
    if (derived.size > 100) derived.clear();
    derived.set(passphrase, pending);
  }
  return pending;
}

/** The settings with each passphrase's key, as `renderEncryptionConfig` needs them. */
export interface ResolvedStateEncryption {
  current: StateKey;
  previous: StateKey | undefined;
  migrateUnencrypted: boolean;
}

export async function resolveStateEncryption(
  options: StateEncryptionOptions,
): Promise<ResolvedStateEncryption> {
  assertStateEncryption(options);
  return {
    current: await deriveStateKey(options.passphrase),
    previous:
      options.previousPassphrase === undefined ? undefined : await deriveStateKey(options.previousPassphrase),
    migrateUnencrypted: options.migrateUnencrypted === true,
  };
}

/** The folder under the data folder the key files live in, one per key, named by alias. */
export const stateKeyDir = (dataDir: string) => path.join(dataDir, 'state-keys');

/**
 * Writes each key (base64) to `<data dir>/state-keys/<alias>.key`, 0600 in a 0700 folder, for the key
 * provider command to read: the key never appears in tofu's environment nor on a command line.
 */
export async function writeStateKeyFiles(dataDir: string, resolved: ResolvedStateEncryption): Promise<void> {
  const dir = stateKeyDir(dataDir);
  await mkdirPrivate(dir);
  for (const stateKey of [resolved.current, resolved.previous]) {
    if (!stateKey) continue;
    const { key, alias } = stateKey;
    const file = path.join(dir, `${alias}.key`);
    // Written aside and renamed: a tofu run of another engine on this folder never reads half a key.
    const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(partial, key.toString('base64'), { mode: 0o600 });
    await chmod(partial, 0o600);
    await rename(partial, file);
  }
}

// An HCL string: JSON escaping, plus the template sequences HCL would interpolate.
const hclString = (value: string) =>
  JSON.stringify(value)
    .replaceAll('${', () => '$${')
    .replaceAll('%{', () => '%%{');

/**
 * OpenTofu's external key provider protocol (1.10), in `sh` so a call costs a shell, not a Node start: the
 * header, then the key from its file; the decryption key only when the payload holds this provider's
 * metadata (OpenTofu sends `{"external_data":null}` otherwise), as the protocol asks.
 */
export const KEY_PROVIDER_SCRIPT = [
  `printf '%s\\n' '{"magic":"OpenTofu-External-Key-Provider","version":1}'`,
  'input=$(cat)',
  `[ -r "$1" ] || { echo "SpawnIt's state key file $1 is missing: it is written at engine start; restart the engine." >&2; exit 1; }`,
  'key=$(cat "$1")',
  'case $input in',
  `  *'"external_data":{'*) printf '{"keys":{"encryption_key":"%s","decryption_key":"%s"},"meta":{"external_data":{}}}\\n' "$key" "$key" ;;`,
  `  *) printf '{"keys":{"encryption_key":"%s"},"meta":{"external_data":{}}}\\n' "$key" ;;`,
  'esac',
].join('\n');

const keyProvider = (name: string, dataDir: string, key: StateKey) => {
  const command = [
    '/bin/sh',
    '-c',
    KEY_PROVIDER_SCRIPT,
    'spawnit-state-key',
    path.join(stateKeyDir(dataDir), `${key.alias}.key`),
  ];
  return `key_provider "external" "${name}" {\n  command                  = [${command.map(hclString).join(', ')}]\n  encrypted_metadata_alias = ${hclString(key.alias)}\n}`;
};

/**
 * The `encryption` block body OpenTofu reads from `TF_ENCRYPTION`: raw keys from the `external` key
 * provider + AES-GCM for state and plans, the previous key as a fallback. Given through the environment,
 * so no root config carries it; the keys stay in their files (`writeStateKeyFiles`).
 */
export function renderEncryptionConfig(resolved: ResolvedStateEncryption, dataDir: string): string {
  const lines = [
    keyProvider('current', dataDir, resolved.current),
    'method "aes_gcm" "current" {\n  keys = key_provider.external.current\n}',
  ];
  const fallbacks: string[] = [];
  if (resolved.previous !== undefined) {
    lines.push(
      keyProvider('previous', dataDir, resolved.previous),
      'method "aes_gcm" "previous" {\n  keys = key_provider.external.previous\n}',
    );
    fallbacks.push('method.aes_gcm.previous');
  }
  if (resolved.migrateUnencrypted) {
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
      `${target} {\n  method   = method.aes_gcm.current\n  enforced = ${!resolved.migrateUnencrypted}${fallbackBlock(fallbacks, '  ')}\n}`,
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
 * state for `isDeployed` and outputs without a tofu process per read), with the same derived keys: a read
 * costs one AES-GCM open, the derivation is paid once per passphrase and process.
 */
export function createStateDecrypter(options: StateEncryptionOptions | undefined) {
  const passphrases = [options?.passphrase, options?.previousPassphrase].filter(
    (p): p is string => p !== undefined,
  );

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
    if (passphrases.length === 0) {
      throw new SecretKeyError(
        `${what} is encrypted but SPAWNIT_STATE_PASSPHRASE is not set: set the passphrase it was written with.`,
      );
    }
    const data = Buffer.from(payload.encrypted_data!, 'base64');
    const keys = await Promise.all(passphrases.map(deriveStateKey));
    // The key whose alias the payload names first; the others too, in case a state was written by hand.
    const named = new Set(Object.keys(payload.meta ?? {}));
    keys.sort((a, b) => Number(named.has(b.alias)) - Number(named.has(a.alias)));
    for (const { key } of keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
        decipher.setAuthTag(data.subarray(data.length - 16));
        return Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
      } catch {
        // The next key: a state not yet rewritten since a rotation is under the previous one.
      }
    }
    throw new SecretKeyError(
      `${what} could not be decrypted with SPAWNIT_STATE_PASSPHRASE${options?.previousPassphrase ? ' nor SPAWNIT_STATE_PASSPHRASE_PREVIOUS' : ''}: set the passphrase it was written with (as SPAWNIT_STATE_PASSPHRASE_PREVIOUS during a rotation).`,
    );
  };
}

export type StateDecrypter = ReturnType<typeof createStateDecrypter>;
