import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { conflictAsRefusal, labelFieldError } from './parameter-form';

describe('labelFieldError', () => {
  it('says the label where the API wrote "Label (key)"', () => {
    const error = { field: 'port', rule: 'max', message: 'Port (port) must be at most 65535' };
    expect(labelFieldError(error, 'Port').message).toBe('Port must be at most 65535');
  });

  it('says the label where the API starts with the key', () => {
    const error = { field: 'serviceId', rule: 'format', message: 'serviceId "My_DB" is not valid: use …' };
    expect(labelFieldError(error, 'Service id').message).toBe('Service id "My_DB" is not valid: use …');
  });

  it('leaves a message that names no key as it is', () => {
    const error = { field: 'serviceId', rule: 'taken', message: 'Service "db" already exists.' };
    expect(labelFieldError(error, 'Service id')).toEqual(error);
  });
});

describe('conflictAsRefusal', () => {
  it('turns a CONFLICT into a refusal of the named field, and nothing else', () => {
    const conflict = new CombinedError({
      graphQLErrors: [{ message: 'Service "db" already exists.', extensions: { code: 'CONFLICT' } }],
    });
    expect(conflictAsRefusal(conflict, 'serviceId')?.fieldErrors).toEqual([
      { field: 'serviceId', rule: 'taken', message: 'Service "db" already exists.' },
    ]);
    const other = new CombinedError({ networkError: new TypeError('Failed to fetch') });
    expect(conflictAsRefusal(other, 'serviceId')).toBeUndefined();
  });
});
