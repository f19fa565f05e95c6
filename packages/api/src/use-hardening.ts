import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { DEFAULT_MAX_LIST_COST } from './list-cost.js';

/** Limits on what one operation may ask for. */
export interface QueryLimits {
  /** Deepest selection nesting (introspection excepted). @default 12 */
  maxDepth: number;
  /** Aliases per operation. @default 15 */
  maxAliases: number;
  /** GraphQL Armor's cost (objects 2, scalars 1, times 1.5 per level). @default 5000 */
  maxCost: number;
  /** Records an operation may ask for, lists multiplying what is nested in them (see `listCost`). @default 20_000 */
  maxListCost: number;
  /** Tokens in one document. @default 2000 */
  maxTokens: number;
  /** Directives per operation. @default 50 */
  maxDirectives: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxDepth: 12,
  maxAliases: 15,
  maxCost: 5000,
  maxListCost: DEFAULT_MAX_LIST_COST,
  maxTokens: 2000,
  maxDirectives: 50,
};

export interface HardeningOptions {
  limits: QueryLimits;
  /** Introspection and field suggestions ("did you mean...?") stay on. */
  development: boolean;
}

/**
 * Refuses introspection in validation, whatever the transport. Yoga's `useDisableIntrospection` marks the
 * HTTP request in `onRequestParse`, which graphql-ws never calls: over a WebSocket it let introspection through.
 */
export function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/**
 * GraphQL Armor's depth, alias, cost, token and directive limits, Yoga's CSRF prevention, and in production
 * no introspection and no field suggestions. The limits run in validation, so they also guard graphql-ws,
 * which goes through the same envelop.
 */
export function useHardening(options: HardeningOptions): Plugin {
  const { limits, development } = options;
  // Limits say what the limit is: a legitimate client that hits one can fix its query.
  const plugins: Plugin[] = [
    maxDepthPlugin({ n: limits.maxDepth, exposeLimits: true, ignoreIntrospection: true }),
    maxAliasesPlugin({ n: limits.maxAliases, exposeLimits: true }),
    costLimitPlugin({ maxCost: limits.maxCost, exposeLimits: true, ignoreIntrospection: true }),
    maxTokensPlugin({ n: limits.maxTokens, exposeLimits: true }),
    maxDirectivesPlugin({ n: limits.maxDirectives, exposeLimits: true }),
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
  ] as Plugin[];
  if (!development) plugins.push(useNoIntrospection(), blockFieldSuggestionsPlugin() as Plugin);
  return {
    onPluginInit({ addPlugin }) {
      for (const plugin of plugins) addPlugin(plugin);
    },
  };
}
