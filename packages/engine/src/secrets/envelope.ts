import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { SpawnitError } from '../errors.js';

/**
 * Envelope encryption for the objects SpawnIt writes to S3 that hold secrets (`terraform.tfvars.json`):
 * each object gets a random 256-bit data key; the body is sealed with it (AES-256-GCM, the S3 key as
 * additional data so an object cannot be swapped for another's), and the data key is sealed with the
 * operator's master key. Rotating the master key re-wraps data keys; it never needs the bodies re-read.
 */
export const ENVELOPE_FORMAT = 'spawnit-envelope/v1';

/** The stored form of a sealed object (JSON). */
export interface Envelope {
  format: typeof ENVELOPE_FORMAT;
  /** Which master key wrapped the data key: the first 16 hex digits of its SHA-256. */
  keyId: string;
  /** The data key, sealed with the master key: base64 of nonce (12) ‖ ciphertext ‖ tag (16). */
  dataKey: string;
  /** The body, sealed with the data key: base64 of nonce (12) ‖ ciphertext ‖ tag (16). */
  data: string;
}

export class SecretKeyError extends SpawnitError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('SECRETS_UNAVAILABLE', message, options);
  }
}

/** A master key as the engine holds it: 32 bytes and their id. */
export interface MasterKey {
  id: string;
  key: Buffer;
}

const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);

/**
 * Reads a master key given as 64 hex digits or as base64 of 32 bytes (`openssl rand -base64 32`).
 * `name` is the setting it came from, for the error message.
 */
export function parseMasterKey(value: string, name: string): MasterKey {
  const text = value.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) key = Buffer.from(text, 'base64');
  if (key?.length !== 32) {
    throw new SecretKeyError(
      `${name} must be a 256-bit key: 64 hex digits or 44 base64 characters (make one with "openssl rand -base64 32").`,
    );
  }
  return { id: keyIdOf(key), key };
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < 28) throw new Error('sealed data too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
}

/** Seals `plaintext` for the S3 object `objectKey` under the master key. */
export function sealEnvelope(master: MasterKey, objectKey: string, plaintext: Buffer | string): string {
  const dataKey = randomBytes(32);
  const aad = Buffer.from(`${ENVELOPE_FORMAT}\0${objectKey}`);
  const envelope: Envelope = {
    format: ENVELOPE_FORMAT,
    keyId: master.id,
    dataKey: seal(master.key, dataKey, Buffer.from(`${aad}\0data-key`)).toString('base64'),
    data: seal(dataKey, Buffer.from(plaintext), aad).toString('base64'),
  };
  dataKey.fill(0);
  return `${JSON.stringify(envelope)}\n`;
}

/** Whether a stored body is an envelope (else it is a plaintext object written before encryption). */
export function isEnvelope(body: Buffer): boolean {
  if (body.length < 30 || body[0] !== 0x7b) return false;
  return body.subarray(0, 64).toString('utf8').includes(`"format":"${ENVELOPE_FORMAT}"`);
}

/** Opens an envelope with whichever of the keys wrapped it (the current one, or a previous one in a rotation). */
export function openEnvelope(keys: readonly MasterKey[], objectKey: string, body: Buffer): Buffer {
  const envelope = JSON.parse(body.toString('utf8')) as Envelope;
  const master = keys.find((k) => k.id === envelope.keyId);
  if (!master) {
    throw new SecretKeyError(
      keys.length === 0
        ? `${objectKey} is encrypted but no key is configured: set SPAWNIT_SECRETS_KEY to the key it was written with.`
        : `${objectKey} was encrypted with the key ${envelope.keyId}, which is neither SPAWNIT_SECRETS_KEY nor SPAWNIT_SECRETS_KEY_PREVIOUS; set the key it was written with.`,
    );
  }
  const aad = Buffer.from(`${ENVELOPE_FORMAT}\0${objectKey}`);
  try {
    const dataKey = open(
      master.key,
      Buffer.from(envelope.dataKey, 'base64'),
      Buffer.from(`${aad}\0data-key`),
    );
    const plaintext = open(dataKey, Buffer.from(envelope.data, 'base64'), aad);
    dataKey.fill(0);
    return plaintext;
  } catch (error) {
    throw new SecretKeyError(
      `${objectKey} could not be decrypted: it was altered, or moved from another key; restore it from a backup.`,
      { cause: error },
    );
  }
}
