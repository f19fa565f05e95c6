import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import type { DriftLag, Engine, Operations } from '@spawnit/engine';
import type { Viewer } from './auth/verify-token.js';
import type { Loaders } from './loaders.js';

/**
 * What every resolver gets: the caller, from the verified token and never from input, and the engine.
 * Subscriptions listen to `operations.events`, the event bus (in process today; one bus can serve many servers).
 */
export interface Context {
  viewer: Viewer;
  engine: Engine;
  operations: Operations;
  /** How late drift checks are (the loop in this process, or the workers' record): `system { driftLag }`. */
  drift: DriftLag | undefined;
  /** This operation's reads, batched and remembered (not remembered across a subscription's events). */
  loaders: Loaders;
  /** Aborted at the operation's deadline: resolvers and loaders start no new work after it. */
  signal: AbortSignal;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [ErrorsPlugin],
  defaultFieldNullability: false,
  errors: { directResult: true },
});
