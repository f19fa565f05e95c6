import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { type Template, templateSchema } from './template.js';
import { generateSecret, maskSecrets, validateParams } from './validate-params.js';

const template: Template = templateSchema.parse({
  id: 'db',
  name: 'Database',
  description: 'A database.',
  category: 'database',
  icon: 'db',
  modules: { local: 'services/db/local', aws: 'services/db/aws' },
  parameters: [
    { name: 'name', type: 'string', description: 'Name.', required: true, pattern: '^[a-z]+$', maxLength: 8 },
    { name: 'version', type: 'string', description: 'Version.', enum: ['16', '17'], default: '17' },
    { name: 'port', type: 'integer', description: 'Port.', min: 1024, max: 65535, default: 5432 },
    { name: 'ratio', type: 'number', description: 'Ratio.', min: 0, max: 1 },
    { name: 'public', type: 'boolean', description: 'Public.', default: false },
    { name: 'password', type: 'string', description: 'Password.', secret: true, generate: { length: 16 } },
    {
      name: 'region',
      type: 'string',
      description: 'Region.',
      enum: ['eu-west-1'],
      default: 'eu-west-1',
      providers: ['aws'],
    },
  ],
  outputs: [],
});

const fieldErrors = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.fieldErrors.map((e) => `${e.field}:${e.rule}`);
    throw error;
  }
  return [];
};

describe('validateParams', () => {
  it('fills defaults, generates secrets and leaves optional values null', () => {
    const params = validateParams(template, { name: 'app' }, { provider: 'local' });
    expect(params).toMatchObject({ name: 'app', version: '17', port: 5432, ratio: null, public: false });
    expect(params.password).toMatch(/^[A-Za-z2-9]{16}$/);
    // A parameter for another provider is not sent at all.
    expect(params).not.toHaveProperty('region');
    expect(validateParams(template, { name: 'app' }, { provider: 'aws' }).region).toBe('eu-west-1');
  });

  it('reports every broken rule with its field', () => {
    expect(
      fieldErrors(() =>
        validateParams(
          template,
          { name: 'App1', version: '15', port: 80.5, ratio: 2, public: 'yes', region: 'eu-west-1', extra: 1 },
          { provider: 'local' },
        ),
      ),
    ).toEqual([
      'extra:unknown',
      'name:pattern',
      'version:enum',
      'port:type',
      'ratio:max',
      'public:type',
      'region:provider',
    ]);
    expect(fieldErrors(() => validateParams(template, {}, { provider: 'local' }))).toEqual(['name:required']);
    expect(
      fieldErrors(() => validateParams(template, { name: 'toolongname' }, { provider: 'local' })),
    ).toEqual(['name:maxLength']);
    expect(fieldErrors(() => validateParams(template, [], { provider: 'local' }))).toEqual(['params:type']);
    expect(
      fieldErrors(() => validateParams(template, { name: 'app', port: Number.NaN }, { provider: 'local' })),
    ).toEqual(['port:type']);
  });

  it('keeps a saved secret the user left empty', () => {
    const params = validateParams(
      template,
      { name: 'app', password: '' },
      { provider: 'local', previous: { password: 'kept-secret-1' } },
    );
    expect(params.password).toBe('kept-secret-1');
  });

  it('counts a secret made only of whitespace as empty: kept, generated or required, never saved', () => {
    const kept = validateParams(
      template,
      { name: 'app', password: ' \t\n ' },
      { provider: 'local', previous: { password: 'kept-secret-1' } },
    );
    expect(kept.password).toBe('kept-secret-1');
    const generated = validateParams(template, { name: 'app', password: '   ' }, { provider: 'local' });
    expect(generated.password).toMatch(/^\S{16}$/);
    const required = templateSchema.parse({
      ...template,
      parameters: [{ name: 'token', type: 'string', description: 'Token.', secret: true, required: true }],
    });
    expect(fieldErrors(() => validateParams(required, { token: '  ' }, { provider: 'local' }))).toEqual([
      'token:required',
    ]);
  });

  it('masks secrets for display', () => {
    expect(maskSecrets(template, { name: 'app', password: 'x' })).toEqual({ name: 'app', password: null });
  });
});

describe('generateSecret', () => {
  it('draws from an unambiguous alphabet, with every letter reachable', () => {
    const sample = Array.from({ length: 200 }, () => generateSecret(32)).join('');
    expect(sample).toMatch(/^[abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789]+$/);
    expect(new Set(sample).size).toBe(57);
  });
});

describe('templateSchema', () => {
  it('refuses a default that breaks its own rule, and an invalid pattern', () => {
    const result = templateSchema.safeParse({
      ...template,
      parameters: [
        { name: 'port', type: 'integer', description: 'Port.', min: 1024, default: 80 },
        { name: 'name', type: 'string', description: 'Name.', pattern: '([' },
        { name: 'pw', type: 'string', description: 'Pw.', generate: { length: 12 } },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message)).toEqual([
      'parameter "port": default 80 must be at least 1024',
      'parameter "name": pattern is not a valid regular expression',
      'parameter "pw": "generate" is only for secret string parameters',
    ]);
  });
});
