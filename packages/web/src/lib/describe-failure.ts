import type { CombinedError } from '@urql/core';

/** A failed request in words: what went wrong, and what the user can do about it. */
export interface Failure {
  /** One sentence, without a final full stop: "the API did not answer". */
  reason: string;
  /** What to do next, as a sentence. */
  advice: string;
}

// What a user can do about each of the API's error codes; the API's own message says what went wrong.
const ADVICE: Record<string, string> = {
  FORBIDDEN: 'Ask an administrator for the access you need.',
  NOT_FOUND: 'Check the address, or go back to the list and pick it again.',
  STORE_UNAVAILABLE: 'The storage SpawnIt keeps its data in is not answering: try again in a moment.',
  SECRETS_UNAVAILABLE:
    'SpawnIt cannot read its secrets key: ask an administrator to check the API’s settings.',
  TOFU_NOT_FOUND: 'SpawnIt cannot find OpenTofu: ask an administrator to check the API’s settings.',
  AUTH_UNAVAILABLE: 'The sign-in service is not answering: try again in a moment.',
  TIMEOUT: 'The API took too long to answer: try again in a moment.',
  LIMIT_EXCEEDED: 'Try again with less at once.',
  INTERNAL_SERVER_ERROR:
    'Something failed inside the API: try again, and if it keeps failing, its log says why.',
};

const withoutStop = (text: string) => text.trim().replace(/[.\s]+$/, '');
const firstLower = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/**
 * Turns what urql (or anything else) reports into words a user can act on: never "[Network] Failed to fetch"
 * or a bare status code.
 */
export function describeFailure(error: CombinedError | Error | string): Failure {
  if (typeof error === 'string') return { reason: firstLower(withoutStop(error)), advice: 'Try again.' };
  if ('graphQLErrors' in error && error.graphQLErrors.length > 0) {
    const first = error.graphQLErrors[0]!;
    const code = typeof first.extensions?.code === 'string' ? first.extensions.code : '';
    return {
      reason: firstLower(withoutStop(error.graphQLErrors.map((e) => withoutStop(e.message)).join('. '))),
      advice: ADVICE[code] ?? 'Try again.',
    };
  }
  if ('graphQLErrors' in error && error.networkError) {
    const status = (error.response as Response | undefined)?.status;
    if (status && status >= 500) {
      return {
        reason: `the API failed (HTTP ${status})`,
        advice: 'Try again in a moment; if it keeps failing, the API’s log says why.',
      };
    }
    if (status) {
      return {
        reason: `the API refused the request (HTTP ${status})`,
        advice: 'Reload the page and try again.',
      };
    }
    return {
      reason: 'the API did not answer',
      advice: 'Check your connection and that SpawnIt’s API is running, then try again.',
    };
  }
  return {
    reason: firstLower(withoutStop(error.message.replace(/^\[(GraphQL|Network)\] /, ''))),
    advice: 'Try again.',
  };
}
