import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildSchema, type DocumentNode, Kind, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { WEB_DIR } from '../support/web.js';

// Every GraphQL document of the UI (a gql`...` next to its component) must be valid against the API's
// committed SDL: a renamed field or argument fails here, not in a user's browser.

const schema = buildSchema(await readFile(path.join(REPO_ROOT, 'packages/api/schema.graphql'), 'utf8'));

async function documents(): Promise<{ file: string; source: string }[]> {
  const src = path.join(WEB_DIR, 'src');
  const found: { file: string; source: string }[] = [];
  for (const entry of await readdir(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/\bgql`([^`]*)`/g)) {
      found.push({ file: path.relative(WEB_DIR, file), source: match[1]! });
    }
  }
  return found;
}

const all = await documents();

describe('the UI’s GraphQL documents', () => {
  it('are found', () => {
    expect(all.length).toBeGreaterThan(15);
    // Interpolated fragments would hide fields from this check.
    for (const { file, source } of all) expect(source, file).not.toContain('${');
  });

  it.each(all.map((d) => [d.file, d.source.trim().split('\n')[0], d.source] as const))(
    '%s: %s is valid against schema.graphql',
    (_file, _first, source) => {
      const document: DocumentNode = parse(source);
      expect(validate(schema, document).map((e) => e.message)).toEqual([]);
      const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations).toHaveLength(1);
      expect(operations[0]!.name?.value, 'operations are named, for the API logs').toBeTruthy();
    },
  );

  it('have unique operation names', () => {
    const names = all.map((d) => /(?:query|mutation|subscription)\s+(\w+)/.exec(d.source)?.[1]);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});
