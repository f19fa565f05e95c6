import { InvalidIdError, SpawnitError, ValidationError } from '@spawnit/engine';
import type { GraphQLError } from 'graphql';
// Yoga's factory: its errors come from the same graphql build as Yoga's and graphql-ws's, whatever loads ours.
import { createGraphQLError } from 'graphql-yoga';
import { AuthError } from './auth/verify-token.js';

/** Codes the API adds to the engine's own (`NOT_FOUND`, `CONFLICT`, `VALIDATION_FAILED`...). */
export type ApiErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'AUTH_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR'
  | 'LIMIT_EXCEEDED'
  | 'TIMEOUT';

/** A refusal the caller can act on, with its code in `extensions.code`. */
export function apiError(code: ApiErrorCode | SpawnitError['code'], message: string, status?: number) {
  return createGraphQLError(message, {
    extensions: { code, ...(status ? { http: { status } } : {}) },
  });
}

export const notFound = (message: string) => apiError('NOT_FOUND', message);

// The engine's messages are written for users and name the thing at fault; these statuses say the same to HTTP.
const HTTP_STATUS: Partial<Record<SpawnitError['code'], number>> = {
  STORE_UNAVAILABLE: 503,
  TOFU_NOT_FOUND: 503,
  SECRETS_UNAVAILABLE: 503,
};

/**
 * By name, not `instanceof`: graphql ships CommonJS and ESM builds, and a bundler or test runner may load
 * both (Yoga's own check is the same).
 */
export function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/**
 * What a client may see of an error: the engine's and the API's own errors with their code; anything
 * else becomes "Unexpected error." and is logged server-side, so no stack, path or secret leaks.
 */
export function toClientError(error: unknown, log: (error: unknown) => void): GraphQLError {
  const located = isGraphQLError(error) ? error : undefined;
  const original = located?.originalError ?? error;
  if (original instanceof AuthError) {
    return createGraphQLError(original.message, {
      extensions: {
        code: original.code,
        http: {
          status: original.status,
          ...(original.status === 401 ? { headers: { 'WWW-Authenticate': 'Bearer' } } : {}),
        },
      },
    });
  }
  if (original instanceof SpawnitError) {
    const status = HTTP_STATUS[original.code];
    return createGraphQLError(original.message, {
      ...(located ? { nodes: located.nodes, path: located.path } : {}),
      extensions: {
        code: original.code,
        ...(original instanceof InvalidIdError ? { field: original.field } : {}),
        ...(original instanceof ValidationError ? { fieldErrors: original.fieldErrors } : {}),
        ...(status ? { http: { status } } : {}),
      },
    });
  }
  // Errors made on purpose (by resolvers with apiError, or by GraphQL validation and parsing).
  if (isGraphQLError(original)) return located ?? original;
  log(original);
  return createGraphQLError('Unexpected error.', {
    ...(located ? { nodes: located.nodes, path: located.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}

/** The same error without its HTTP hints (status, headers), which mean nothing on a WebSocket. */
export function withoutHttpExtensions(error: GraphQLError): GraphQLError {
  if (!error.extensions?.http) return error;
  const { http: _, ...extensions } = error.extensions;
  return createGraphQLError(error.message, { nodes: error.nodes, path: error.path, extensions });
}
