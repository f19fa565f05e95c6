/**
 * Writes the schema's SDL to `packages/api/schema.graphql` (committed), or with `--check` fails when the
 * committed file differs from what the code defines. Run with `pnpm gen:schema`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { printSchemaFile } from '../src/print-schema.js';

const file = fileURLToPath(new URL('../schema.graphql', import.meta.url));
const expected = printSchemaFile();
if (process.argv.includes('--check')) {
  const actual = await readFile(file, 'utf8').catch(() => '');
  if (actual !== expected) {
    process.stderr.write(`${file} is stale: run pnpm gen:schema\n`);
    process.exit(1);
  }
} else {
  await writeFile(file, expected);
  process.stdout.write(`Wrote ${file}\n`);
}
