import type { DriftLag, Engine, Operations } from '@spawnit/engine';
import type { YogaInitialContext } from 'graphql-yoga';
import type { TokenVerifier } from './auth/verify-token.js';
import type { Context } from './builder.js';
import { createLoaders } from './loaders.js';

export interface ContextDeps {
  verifier: TokenVerifier;
  engine: Engine;
  operations: Operations;
  drift?: DriftLag;
}

/** The controller behind `Context.signal`, for the plugin that enforces the deadline. */
export const DEADLINE = Symbol('spawnit.deadline');

/** What a transport hands the context factory: HTTP brings a `request`, graphql-ws its `connectionParams`. */
export type TransportContext = Partial<YogaInitialContext> & {
  connectionParams?: Readonly<Record<string, unknown>>;
};

/** The bearer token of a request: the `Authorization` header, or graphql-ws's `connectionParams`. */
export function authorizationOf(initial: TransportContext): unknown {
  if (initial.request) return initial.request.headers.get('authorization') ?? undefined;
  const params = initial.connectionParams ?? {};
  return params.authorization ?? params.Authorization;
}

/**
 * Builds each operation's context. Every operation needs a valid token, so the check is here rather than
 * on fields: no resolver runs for an unauthenticated caller, and the client id comes from the token only.
 */
export function createContextFactory(deps: ContextDeps) {
  return async (initial: TransportContext): Promise<Context> => {
    const viewer = await deps.verifier.verify(authorizationOf(initial));
    // `useOperationLimits` arms the deadline when the operation starts, and gives subscriptions fresh loaders.
    const deadline = new AbortController();
    return {
      viewer,
      engine: deps.engine,
      operations: deps.operations,
      drift: deps.drift,
      loaders: createLoaders(deps, { signal: deadline.signal }),
      signal: deadline.signal,
      [DEADLINE]: deadline,
    } as Context;
  };
}
