import { ConflictError, ValidationError } from '@spawnit/engine';
import { createGraphQLError } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { AuthError } from './auth/verify-token.js';
import { toClientError, withoutHttpExtensions } from './errors.js';

const located = (originalError: Error) =>
  createGraphQLError(originalError.message, { originalError, path: ['service'] });

describe('toClientError', () => {
  it('masks an unexpected error and logs it in full', () => {
    const logged: unknown[] = [];
    const secret = new Error('connect ECONNREFUSED postgres://admin:hunter2@10.0.0.5/db');
    const error = toClientError(located(secret), (e) => logged.push(e));
    expect(error.message).toBe('Unexpected error.');
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(error.path).toEqual(['service']);
    expect(JSON.stringify(error.toJSON())).not.toContain('hunter2');
    expect(logged).toEqual([secret]);
  });

  it("keeps the engine's message and code, with the field errors of a validation", () => {
    const log = () => expect.unreachable('expected errors are not logged');
    expect(
      toClientError(located(new ConflictError('Service "db" is still deployed.')), log).toJSON(),
    ).toEqual({
      message: 'Service "db" is still deployed.',
      path: ['service'],
      extensions: { code: 'CONFLICT' },
    });
    const invalid = new ValidationError('Parameters', [{ field: 'port', rule: 'min', message: 'too low' }]);
    expect(toClientError(invalid, log).extensions).toEqual({
      code: 'VALIDATION_FAILED',
      fieldErrors: [{ field: 'port', rule: 'min', message: 'too low' }],
    });
  });

  it('answers 401 with a Bearer challenge for a refused token; not on a WebSocket', () => {
    const error = toClientError(new AuthError('UNAUTHENTICATED', 'The token has expired.'), () => undefined);
    expect(error.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
    });
    expect(withoutHttpExtensions(error).extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });
});
