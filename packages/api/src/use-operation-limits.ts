import { type ExecutionResult, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './builder.js';
import { DEADLINE } from './context.js';
import { apiError } from './errors.js';
import { listCost } from './list-cost.js';
import { createLoaders } from './loaders.js';

export interface OperationLimitOptions {
  /** See `listCost`. */
  maxListCost: number;
  /** How long a query or mutation may run. */
  timeoutMs: number;
}

function tooCostly(cost: number, max: number): ExecutionResult {
  return {
    errors: [
      apiError(
        'LIMIT_EXCEEDED',
        `List cost limit of ${max} exceeded: this operation may read ${cost} records (lists multiply what is nested in them). Ask for less: a smaller \`limit\`, or fewer lists inside lists.`,
      ),
    ],
  };
}

/**
 * Per operation: a cost that counts list sizes (checked with the variables, before any resolver runs), and
 * for queries and mutations a deadline after which the client gets `TIMEOUT` and the operation's loaders
 * refuse new reads. Subscriptions get loaders that remember nothing, so every event reads fresh records.
 * Runs in execute and subscribe, so HTTP, SSE and graphql-ws alike.
 */
export function useOperationLimits(options: OperationLimitOptions): Plugin<Context> {
  const { maxListCost, timeoutMs } = options;
  return {
    onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const cost = listCost(args.schema, args.document, args.operationName, args.variableValues ?? {});
      if (cost > maxListCost) return setResultAndStopExecution(tooCostly(cost, maxListCost));
      const context = args.contextValue as Context & { [DEADLINE]?: AbortController };
      const deadline = context[DEADLINE];
      if (!deadline) return;
      setExecuteFn(async (executeArgs) => {
        // The reason is what loaders throw after the deadline too: an expected error, not logged as a failure.
        const reason = apiError(
          'TIMEOUT',
          getOperationAST(executeArgs.document, executeArgs.operationName)?.operation === 'mutation'
            ? `The operation ran longer than ${timeoutMs} ms (SPAWNIT_OPERATION_TIMEOUT_MS) and was stopped; a change already under way may still have been saved: look before you try again.`
            : `The operation ran longer than ${timeoutMs} ms (SPAWNIT_OPERATION_TIMEOUT_MS) and was stopped. Ask for less, or try again.`,
        );
        const timer = setTimeout(() => deadline.abort(reason), timeoutMs);
        const timedOut = new Promise<ExecutionResult>((resolve) =>
          deadline.signal.addEventListener('abort', () => resolve({ errors: [reason] }), { once: true }),
        );
        try {
          return await Promise.race([executeFn(executeArgs) as Promise<ExecutionResult>, timedOut]);
        } finally {
          clearTimeout(timer);
        }
      });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const cost = listCost(args.schema, args.document, args.operationName, args.variableValues ?? {});
      if (cost > maxListCost) return setResultAndStopExecution(tooCostly(cost, maxListCost));
      const context = args.contextValue as Context;
      context.loaders = createLoaders(context, { cache: false });
    },
  };
}
