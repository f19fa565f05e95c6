import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { printSchemaFile, schema } from '@spawnit/api';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

describe('the schema', () => {
  it('packages/api/schema.graphql is what the code defines (else: run pnpm gen:schema)', async () => {
    const committed = await readFile(path.join(REPO_ROOT, 'packages/api/schema.graphql'), 'utf8');
    expect(committed === printSchemaFile(), 'packages/api/schema.graphql is stale: run pnpm gen:schema').toBe(
      true,
    );
  });

  it('describes every type, field, argument and enum value', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name))
        continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues())
          if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
