import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { describeFailure } from './describe-failure';

describe('describeFailure', () => {
  it('says the API did not answer for a fetch that failed, never "[Network] Failed to fetch"', () => {
    const error = new CombinedError({ networkError: new TypeError('Failed to fetch') });
    expect(describeFailure(error)).toEqual({
      reason: 'the API did not answer',
      advice: 'Check your connection and that SpawnIt’s API is running, then try again.',
    });
  });

  it('keeps the API’s own message and adds what to do for its code', () => {
    const error = new CombinedError({
      graphQLErrors: [
        {
          message: 'The S3 store at http://127.0.0.1:9000 is unavailable.',
          extensions: { code: 'STORE_UNAVAILABLE' },
        },
      ],
    });
    const failure = describeFailure(error);
    expect(failure.reason).toBe('the S3 store at http://127.0.0.1:9000 is unavailable');
    expect(failure.advice).toMatch(/storage .* try again/);
  });

  it('names an HTTP failure by its status', () => {
    const error = new CombinedError({
      networkError: new Error('Bad Gateway'),
      response: new Response('', { status: 502 }),
    });
    expect(describeFailure(error).reason).toBe('the API failed (HTTP 502)');
  });
});
