import { describe, expect, it } from 'vitest';
import { InvalidIdError } from './errors.js';
import { assertClientId, assertNetworkName, assertServiceId } from './ids.js';
import { targetPrefix } from './store/keys.js';

describe('ids', () => {
  it.each(['../x', '..', '.', 'a/b', 'a\\b', '', ' a', 'a..b', 'a\0b', 'x'.repeat(129), '%2e%2e'])(
    'refuses client id %j',
    (id) => expect(() => assertClientId(id)).toThrow(InvalidIdError),
  );
  it.each(['alice', '3f2a1c9e-1b2c-4d5e-8f90-123456789abc', 'user@example.com', 'a_b.c-d'])(
    'accepts client id %j',
    (id) => expect(() => assertClientId(id)).not.toThrow(),
  );
  it.each(['../db', 'DB', 'db_1', '-db', 'db-', 'd', 'a--b', 'x'.repeat(41), 'db/x', 42, null])(
    'refuses service id %j',
    (id) => expect(() => assertServiceId(id)).toThrow(/serviceId .* is not valid/),
  );
  it('names the field in the error', () => {
    expect(() => assertNetworkName('Bad Name')).toThrow(
      'networkName "Bad Name" is not valid: use 2-40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (e.g. "my-db").',
    );
  });
  it('keeps every target inside its client prefix', () => {
    expect(targetPrefix({ kind: 'service', clientId: 'alice', serviceId: 'web' })).toBe(
      'clients/alice/services/web/',
    );
    expect(targetPrefix({ kind: 'network', clientId: 'alice', provider: 'local', networkName: 'lan' })).toBe(
      'clients/alice/networks/local/lan/',
    );
    expect(() => targetPrefix({ kind: 'service', clientId: 'alice', serviceId: '../bob' })).toThrow(
      InvalidIdError,
    );
  });
});
