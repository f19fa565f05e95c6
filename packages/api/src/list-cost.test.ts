import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './config.js';
import { ASSUMED_LIST_SIZE, DEFAULT_MAX_LIST_COST, listCost } from './list-cost.js';
import { schema } from './schema/index.js';

const cost = (query: string, variables?: Record<string, unknown>) =>
  listCost(schema, parse(query), undefined, variables);

async function webDocuments(): Promise<{ file: string; document: string }[]> {
  const root = path.join(REPO_ROOT, 'packages/web/src');
  const files = (await readdir(root, { recursive: true })).filter((f) => /\.tsx?$/.test(f));
  const found: { file: string; document: string }[] = [];
  for (const file of files) {
    const text = await readFile(path.join(root, file), 'utf8');
    for (const match of text.matchAll(/gql`([^`]*)`/g)) found.push({ file, document: match[1]! });
  }
  return found;
}

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

  it('lets every document of the web UI through', async () => {
    const documents = await webDocuments();
    expect(documents.length).toBeGreaterThan(10);
    for (const { file, document } of documents) {
      expect(cost(document), `${file}: ${document.slice(0, 60)}`).toBeLessThanOrEqual(DEFAULT_MAX_LIST_COST);
    }
  });
});
