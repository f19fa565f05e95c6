import { describe, expect, it } from 'vitest';
import {
  formatType,
  literalValue,
  parseTypeExpression,
  TypeExpressionError,
  unwrapInterpolation,
} from './type-expression.js';

describe('parseTypeExpression', () => {
  it('reads primitives, with or without the interpolation hcl2json wraps them in', () => {
    expect(parseTypeExpression('string')).toEqual({ kind: 'string' });
    expect(parseTypeExpression(`\${number}`)).toEqual({ kind: 'number' });
    expect(parseTypeExpression(' bool ')).toEqual({ kind: 'bool' });
    expect(parseTypeExpression('any')).toEqual({ kind: 'any' });
  });

  it('reads collections and tuples', () => {
    expect(parseTypeExpression('list(string)')).toEqual({ kind: 'list', element: { kind: 'string' } });
    expect(parseTypeExpression('map(set(number))')).toEqual({
      kind: 'map',
      element: { kind: 'set', element: { kind: 'number' } },
    });
    expect(parseTypeExpression('tuple([string, number,])')).toEqual({
      kind: 'tuple',
      elements: [{ kind: 'string' }, { kind: 'number' }],
    });
  });

  it('reads objects on one line or many, with optional attributes and their defaults', () => {
    const type = parseTypeExpression(`\${object({
      database = string
      port     = optional(number, 5432) # a comment
      tags     = optional(map(string), {})
      name     = optional(string, "a, \\"b\\" (c)")
      ssh      = optional(string)
    })}`);
    expect(type).toEqual({
      kind: 'object',
      attributes: {
        database: { type: { kind: 'string' }, optional: false },
        port: { type: { kind: 'number' }, optional: true, defaultSource: '5432', comment: 'a comment' },
        tags: { type: { kind: 'map', element: { kind: 'string' } }, optional: true, defaultSource: '{}' },
        name: { type: { kind: 'string' }, optional: true, defaultSource: '"a, \\"b\\" (c)"' },
        ssh: { type: { kind: 'string' }, optional: true },
      },
    });
    expect(parseTypeExpression('object({ a = string, b = optional(number, 5) })')).toEqual({
      kind: 'object',
      attributes: {
        a: { type: { kind: 'string' }, optional: false },
        b: { type: { kind: 'number' }, optional: true, defaultSource: '5' },
      },
    });
  });

  it('keeps a trailing comment as the attribute description', () => {
    const type = parseTypeExpression(
      'object({\n  a = string // the a\n  b = number, # the b\n  c = bool\n})',
    );
    expect(type.kind === 'object' && type.attributes.a?.comment).toBe('the a');
    expect(type.kind === 'object' && type.attributes.b?.comment).toBe('the b');
    expect(type.kind === 'object' && type.attributes.c?.comment).toBeUndefined();
  });

  it('reads nested objects and defaults that are expressions', () => {
    const type = parseTypeExpression(
      'map(object({ ports = optional(list(object({ internal = number })), []), n = optional(number, max(1, 2)) }))',
    );
    expect(formatType(type)).toBe(
      'map(object({ ports = optional(list(object({ internal = number })), []), n = optional(number, max(1, 2)) }))',
    );
  });

  it.each([
    ['strin', /Unknown type "strin"/],
    ['list(string', /Expected "\)"/],
    ['object({ a = string, a = number })', /declared twice/],
    ['object({ a string })', /Expected "="/],
    ['object({ a = optional(string, ) })', /Expected a default value/],
    ['string number', /Unexpected text after the type/],
    ['object({ a = optional(string, "x" })', /Unexpected "}"/],
  ])('refuses %j and says why', (source, message) => {
    expect(() => parseTypeExpression(source)).toThrow(TypeExpressionError);
    expect(() => parseTypeExpression(source)).toThrow(message);
  });
});

describe('literalValue', () => {
  it('evaluates literals and leaves expressions alone', () => {
    expect(literalValue('5432')).toBe(5432);
    expect(literalValue('"app"')).toBe('app');
    expect(literalValue('true')).toBe(true);
    expect(literalValue('null')).toBeNull();
    expect(literalValue('{}')).toEqual({});
    expect(literalValue('[]')).toEqual([]);
    expect(literalValue('max(1, 2)')).toBeUndefined();
  });
});

describe('unwrapInterpolation', () => {
  it('strips one interpolation wrapper', () => {
    expect(unwrapInterpolation(`\${string}`)).toBe('string');
    expect(unwrapInterpolation('string')).toBe('string');
  });
});
