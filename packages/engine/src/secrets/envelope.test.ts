import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createConfigSealer } from './config-sealer.js';
import { isEnvelope, openEnvelope, parseMasterKey, SecretKeyError, sealEnvelope } from './envelope.js';

const keyA = parseMasterKey(randomBytes(32).toString('base64'), 'SPAWNIT_SECRETS_KEY');
const keyB = parseMasterKey(randomBytes(32).toString('hex'), 'SPAWNIT_SECRETS_KEY');
const objectKey = 'clients/alice/services/db/terraform.tfvars.json';
const body = JSON.stringify({ params: { password: 'hunter2-is-not-a-password' } });

describe('envelopes', () => {
  it('seal with a fresh data key each time and open back to the same bytes', () => {
    const one = sealEnvelope(keyA, objectKey, body);
    const two = sealEnvelope(keyA, objectKey, body);
    expect(one).not.toBe(two);
    expect(one).not.toContain('hunter2');
    expect(isEnvelope(Buffer.from(one))).toBe(true);
    expect(openEnvelope([keyA], objectKey, Buffer.from(one)).toString()).toBe(body);
  });

  it('refuses a body moved to another object, altered, or sealed by a key that is not configured', () => {
    const sealed = Buffer.from(sealEnvelope(keyA, objectKey, body));
    expect(() => openEnvelope([keyA], 'clients/mallory/services/db/terraform.tfvars.json', sealed)).toThrow(
      /could not be decrypted: it was altered, or moved/,
    );
    const envelope = JSON.parse(sealed.toString());
    const data = Buffer.from(envelope.data, 'base64');
    data[20] = (data[20] ?? 0) ^ 1;
    const altered = Buffer.from(JSON.stringify({ ...envelope, data: data.toString('base64') }));
    expect(() => openEnvelope([keyA], objectKey, altered)).toThrow(SecretKeyError);
    expect(() => openEnvelope([keyB], objectKey, sealed)).toThrow(
      new RegExp(`encrypted with the key ${keyA.id}, which is neither SPAWNIT_SECRETS_KEY`),
    );
  });

  it('reads old plaintext objects, seals new ones with the first key, opens with a previous one', () => {
    const rotating = createConfigSealer([keyB, keyA]);
    expect(rotating.open(objectKey, Buffer.from(body)).toString()).toBe(body);
    const old = Buffer.from(sealEnvelope(keyA, objectKey, body));
    expect(rotating.open(objectKey, old).toString()).toBe(body);
    const resealed = Buffer.from(rotating.seal(objectKey, body));
    expect(() => openEnvelope([keyA], objectKey, resealed)).toThrow(SecretKeyError);
    expect(createConfigSealer([]).seal(objectKey, body)).toBe(body);
  });

  it('names the setting when a key is malformed', () => {
    expect(() => parseMasterKey('too-short', 'SPAWNIT_SECRETS_KEY')).toThrow(
      /SPAWNIT_SECRETS_KEY must be a 256-bit key: 64 hex digits or 44 base64 characters/,
    );
  });
});
