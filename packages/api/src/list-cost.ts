import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  getOperationAST,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type SelectionSetNode,
  valueFromAST,
} from 'graphql';

/**
 * How many items a list without a `limit` argument is assumed to hold. A guess, on the large side of what
 * one user has (services, jobs of a service, lines of a short log).
 * @default 20
 */
export const ASSUMED_LIST_SIZE = 20;

/**
 * The most records an operation may ask for, as `listCost` counts them.
 * @default 20_000
 */
export const DEFAULT_MAX_LIST_COST = 20_000;

/**
 * An upper estimate of the records an operation reads: each field counts 1, and a list multiplies what is
 * selected inside it by its size (its `limit` argument, from literals or variables; otherwise its default
 * `limit`, otherwise `ASSUMED_LIST_SIZE`). So `jobs(limit: 500) { service { jobs { id } } }` counts
 * 500 x (1 + 20 x 2), where GraphQL Armor's cost counts the same as a query for one job.
 */
export function listCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> = {},
): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 0;
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }

  const sizeOf = (node: FieldNode, field: GraphQLField<unknown, unknown>): number => {
    const limitArg = field.args.find((arg) => arg.name === 'limit');
    if (!limitArg) return ASSUMED_LIST_SIZE;
    const given = node.arguments?.find((arg) => arg.name.value === 'limit');
    const value = given
      ? valueFromAST(given.value, limitArg.type, variables as Record<string, unknown>)
      : undefined;
    const size = typeof value === 'number' ? value : limitArg.defaultValue;
    return typeof size === 'number' && Number.isFinite(size) ? Math.max(size, 1) : ASSUMED_LIST_SIZE;
  };

  // `seen` holds the fragments being expanded on this path: a cycle is a validation error, not a hang here.
  const costOf = (set: SelectionSetNode, type: GraphQLNamedType, seen: Set<string>): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        if (!isObjectType(type) && !isInterfaceType(type)) continue;
        const field = type.getFields()[selection.name.value];
        if (!field) continue;
        const inner = selection.selectionSet
          ? costOf(selection.selectionSet, getNamedType(field.type), seen)
          : 0;
        total += 1 + (isListType(getNullableType(field.type)) ? sizeOf(selection, field) : 1) * inner;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (on) total += costOf(selection.selectionSet, on, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        const on = fragment && schema.getType(fragment.typeCondition.name.value);
        if (!fragment || !on || seen.has(name)) continue;
        total += costOf(fragment.selectionSet, on, new Set([...seen, name]));
      }
    }
    return total;
  };
  return costOf(operation.selectionSet, root, new Set());
}
