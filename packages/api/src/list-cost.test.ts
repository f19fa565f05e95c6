import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ASSUMED_LIST_SIZE, listCost } from './list-cost.js';
import { schema } from './schema/index.js';

const cost = (query: string, variables?: Record<string, unknown>) =>
  listCost(schema, parse(query), undefined, variables);

describe('listCost', () => {
  it('multiplies what a list selects by its limit, from a literal, a variable or the default', () => {
    expect(cost('{ jobs(limit: 3) { id state } }')).toBe(1 + 3 * 2);
    expect(cost('query ($n: Int) { jobs(limit: $n) { id } }', { n: 7 })).toBe(1 + 7);
    expect(cost('{ jobs { id } }')).toBe(1 + 50);
    expect(cost('{ services { id } }')).toBe(1 + ASSUMED_LIST_SIZE);
    expect(cost('{ jobs(limit: 2) { service { jobs { id } } } }')).toBe(1 + 2 * (1 + 1 * (1 + 20)));
  });

  it('follows fragments, and a fragment cycle does not hang it', () => {
    expect(cost('{ jobs(limit: 2) { ...J } } fragment J on Job { id kind }')).toBe(1 + 2 * 2);
    expect(cost('{ ...A } fragment A on Query { ...A me { clientId } }')).toBe(2);
  });
});
