import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_MAX_LIST_COST, listCost } from '@spawnit/api';
import { buildSchema, type DocumentNode, Kind, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { WEB_DIR } from '../support/web.js';

// Every GraphQL document of the UI (a gql`...` next to its component) must be valid against the API's
// committed SDL: a renamed field or argument fails here, not in a user's browser. A fragment shared by
// several (`${PlanSummaryFields}`) is checked inside each operation that uses it, as the browser sends it.

/** Each `gql` document with its file, and those held by a constant, by name (what `${Name}` stands for). */
async function documents() {
  const src = path.join(WEB_DIR, 'src');
  const found: { file: string; source: string }[] = [];
  const named = new Map<string, string>();
  for (const entry of await readdir(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/\bgql`([^`]*)`/g)) {
      found.push({ file: path.relative(WEB_DIR, file), source: match[1]! });
    }
    for (const match of text.matchAll(/\bconst (\w+) = gql`([^`]*)`/g)) named.set(match[1]!, match[2]!);
  }
  return { found, named };
}

const schema = buildSchema(await readFile(path.join(REPO_ROOT, 'packages/api/schema.graphql'), 'utf8'));
const { found: all, named } = await documents();

/** The document as sent: each `${Name}` replaced by that document, each fragment once. */
function expand(source: string, seen = new Set<string>()): string {
  return source.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const fragment = named.get(name);
    if (fragment === undefined) throw new Error(`\${${name}} is not a gql document of the UI`);
    if (seen.has(name)) return '';
    seen.add(name);
    return expand(fragment, seen);
  });
}

const isOperation = (source: string) => /^\s*(query|mutation|subscription)\b/.test(source);
const operations = all.filter((d) => isOperation(d.source));

describe('the UI’s GraphQL documents', () => {
  it('are found, and each fragment is used by an operation', () => {
    expect(operations.length).toBeGreaterThan(15);
    const fragments = all.filter((d) => !isOperation(d.source));
    expect(fragments.length).toBeGreaterThan(0);
    const sent = operations.map((d) => expand(d.source)).join('\n');
    for (const { file, source } of fragments) {
      const name = /fragment\s+(\w+)/.exec(source)?.[1];
      expect(name, `${file}: a gql document that is neither an operation nor a fragment`).toBeTruthy();
      expect(sent, `fragment ${name} of ${file} is used by no operation`).toContain(`...${name}`);
    }
  });

  it.each(operations.map((d) => [d.file, d.source.trim().split('\n')[0], d.source] as const))(
    '%s: %s is valid against schema.graphql',
    (_file, _first, source) => {
      const document: DocumentNode = parse(expand(source));
      expect(validate(schema, document).map((e) => e.message)).toEqual([]);
      const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations).toHaveLength(1);
      expect(operations[0]!.name?.value, 'operations are named, for the API logs').toBeTruthy();
    },
  );

  it("stay within the API's list cost limit, as sent", () => {
    for (const { file, source } of operations) {
      const first = source.trim().split('\n')[0];
      expect(listCost(schema, parse(expand(source)), undefined), `${file}: ${first}`).toBeLessThanOrEqual(
        DEFAULT_MAX_LIST_COST,
      );
    }
  });

  it('have unique operation names', () => {
    const names = operations.map((d) => /(?:query|mutation|subscription)\s+(\w+)/.exec(d.source)?.[1]);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});
