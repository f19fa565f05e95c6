import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './schema/index.js';

/** The committed SDL: generated, never edited by hand. */
export function printSchemaFile(): string {
  return `# Generated from packages/api/src/schema by \`pnpm gen:schema\`; do not edit.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}
