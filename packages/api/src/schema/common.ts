import { type FieldError, ValidationError } from '@spawnit/engine';
import { Kind, type ValueNode } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { builder } from '../builder.js';

builder.scalarType('DateTime', {
  description: 'A point in time, as an ISO 8601 string in UTC (e.g. "2025-01-31T12:00:00.000Z").',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      throw createGraphQLError('DateTime must be an ISO 8601 string.');
    }
    return value;
  },
});

function literalToJson(node: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((value) => literalToJson(value, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
  }
}

builder.scalarType('JSON', {
  description:
    'Any JSON value. Used for form values (`params`), whose shape each template defines in its `parameters`.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node, variables) => literalToJson(node, variables),
});

export const ProviderEnum = builder.enumType('Provider', {
  description: 'Where a service or network runs.',
  values: {
    LOCAL: { value: 'local', description: 'Docker on the SpawnIt host.' },
    AWS: { value: 'aws', description: 'Amazon Web Services (EC2).' },
  } as const,
});

export const FieldErrorRef = builder.objectRef<FieldError>('FieldError').implement({
  description: 'One problem with one form field, named so a form can show it next to the field.',
  fields: (t) => ({
    field: t.exposeString('field', {
      description:
        'The input field: a parameter name (e.g. `port`), or `serviceId`, `templateId`, `provider`, `networkName`, `params`.',
    }),
    rule: t.exposeString('rule', {
      description: 'The rule that failed, e.g. `required`, `min`, `max`, `pattern`, `unknown`, `format`.',
    }),
    message: t.exposeString('message', { description: 'What is wrong, for the user.' }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationErrors',
  description: 'The input was refused: nothing was saved. Every problem is listed with its field.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'All problems in one sentence.' }),
    fieldErrors: t.field({
      type: [FieldErrorRef],
      description: 'One entry per field and rule that failed.',
      resolve: (error) => error.fieldErrors,
    }),
  }),
});
