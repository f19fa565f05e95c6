/** Each template rule is shown failing on a template or module broken in one way. */
import { describe, expect, it } from 'vitest';
import { parseModule } from './hcl.js';
import { checkTemplateAgainstModule, type Template, validateTemplate } from './template-rules.js';

function template(overrides: Partial<Template> = {}): Template {
  return structuredClone({
    id: 'postgresql',
    name: 'PostgreSQL',
    description: 'A database.',
    category: 'database',
    icon: 'postgresql',
    modules: { local: 'services/postgresql/local' },
    parameters: [
      {
        name: 'database',
        type: 'string',
        description: 'Database.',
        required: true,
        default: 'app',
        pattern: '^[a-z]+$',
      },
      {
        name: 'port',
        type: 'integer',
        description: 'Port.',
        required: true,
        default: 5432,
        min: 1024,
        max: 65535,
      },
      { name: 'password', type: 'string', description: 'Password.', secret: true, generate: { length: 24 } },
      { name: 'ssh_key', type: 'string', description: 'Key.' },
    ],
    outputs: [
      { name: 'port', description: 'Port.' },
      { name: 'url', description: 'URL.', secret: true },
    ],
    ...overrides,
  } satisfies Template);
}

const MODULE = {
  'variables.tf': `variable "params" {
  description = "Form values."
  type = object({
    database = optional(string, "app")
    port     = optional(number, 5432)
    password = string
    ssh_key  = optional(string)
  })
}`,
  'outputs.tf': `output "port" {
  description = "Port."
  value       = var.params.port
}
output "url" {
  description = "URL."
  value       = "pg://app:\${var.params.password}@localhost"
  sensitive   = true
}`,
};

const moduleWith = (overrides: Record<string, string> = {}) =>
  parseModule('fixture', { ...MODULE, ...overrides });

describe('validateTemplate', () => {
  it('accepts the fixture', () => {
    expect(validateTemplate('t.json', template())).toEqual([]);
  });

  it.each([
    ['a bad id', { id: 'Postgre SQL' }, /id must be 2-40 lowercase/],
    ['no icon', { icon: '' }, /icon is required/],
    ['no module', { modules: {} }, /modules must name a module/],
    [
      'an unknown provider',
      { modules: { gcp: 'services/x/gcp' } as Template['modules'] },
      /modules.gcp is not a provider/,
    ],
    [
      'a module path leaving modules/',
      { modules: { local: '../etc' } },
      /must be a path inside the modules folder/,
    ],
    ['an unknown field', { colour: 'red' } as Partial<Template>, /unknown field "colour"/],
  ])('refuses %s', (_what, overrides, message) => {
    expect(validateTemplate('t.json', template(overrides)).join('\n')).toMatch(message);
  });

  const withParameter = (changes: Record<string, unknown>, index = 0) => {
    const t = template();
    Object.assign(t.parameters[index] as object, changes);
    return t;
  };

  it.each([
    ['a bad name', { name: 'Database' }, /name must match/],
    ['an unknown type', { type: 'text' }, /type must be one of/],
    ['no description', { description: ' ' }, /description is required/],
    ['a default that breaks its pattern', { default: 'App1' }, /default "App1" must match/],
    ['a default outside the enum', { enum: ['x', 'y'] }, /default "app" must be one of/],
    ['an enum value of the wrong type', { enum: [1], default: undefined }, /enum value 1 must be text/],
    ['min on a string', { min: 1 }, /min is only for integer and number/],
    ['an invalid pattern', { pattern: '(' }, /pattern is not a valid regular expression/],
    ['a provider without a module', { providers: ['aws'] }, /providers names "aws", which has no module/],
  ])('refuses a parameter with %s', (_what, changes, message) => {
    expect(validateTemplate('t.json', withParameter(changes)).join('\n')).toMatch(message);
  });

  it.each([
    ['a default below min', { default: 80 }, /default 80 must be at least 1024/],
    ['a fractional integer', { default: 5432.5 }, /must be a whole number/],
  ])('refuses a number parameter with %s', (_what, changes, message) => {
    expect(validateTemplate('t.json', withParameter(changes, 1)).join('\n')).toMatch(message);
  });

  it.each([
    ['a default', { default: 'hunter2hunter2' }, /a secret must not have a default/],
    ['a short generator', { generate: { length: 4 } }, /generate must be \{ "length": N \}/],
    ['a generator without secret', { secret: false }, /generate is only for secret string parameters/],
  ])('refuses a secret with %s', (_what, changes, message) => {
    expect(validateTemplate('t.json', withParameter(changes, 2)).join('\n')).toMatch(message);
  });

  it('refuses duplicate names and outputs without a description', () => {
    const t = template();
    t.parameters.push({ name: 'port', type: 'integer', description: 'Again.' });
    t.outputs.push({ name: 'host', description: '' });
    const problems = validateTemplate('t.json', t).join('\n');
    expect(problems).toMatch(/parameter "port" is defined twice/);
    expect(problems).toMatch(/output "host": description is required/);
  });
});

describe('checkTemplateAgainstModule', () => {
  it('accepts the fixture', async () => {
    expect(checkTemplateAgainstModule(template(), 'local', await moduleWith())).toEqual([]);
  });

  it('finds a parameter the module does not take', async () => {
    const t = template();
    t.parameters.push({ name: 'version', type: 'string', description: 'Version.', default: '17' });
    expect(checkTemplateAgainstModule(t, 'local', await moduleWith()).join()).toMatch(
      /parameter "version" is not an attribute of var.params/,
    );
  });

  it('skips parameters meant for another provider', async () => {
    const t = template({ modules: { local: 'x', aws: 'y' } });
    t.parameters.push({
      name: 'region',
      type: 'string',
      description: 'Region.',
      required: true,
      providers: ['aws'],
    });
    expect(checkTemplateAgainstModule(t, 'local', await moduleWith())).toEqual([]);
    expect(checkTemplateAgainstModule(t, 'aws', await moduleWith()).join()).toMatch(
      /"region" is not an attribute/,
    );
  });

  it('finds a type mismatch', async () => {
    const m = await moduleWith({
      'variables.tf': MODULE['variables.tf'].replace('optional(number, 5432)', 'optional(string, "5432")'),
    });
    expect(checkTemplateAgainstModule(template(), 'local', m).join()).toMatch(
      /parameter "port" is integer but params.port is string/,
    );
  });

  it('finds a parameter that may be null on a required attribute', async () => {
    const m = await moduleWith({
      'variables.tf': MODULE['variables.tf'].replace('optional(string)', 'string'),
    });
    expect(checkTemplateAgainstModule(template(), 'local', m).join()).toMatch(
      /"ssh_key" may be left empty \(sent as null\), so params.ssh_key must be optional/,
    );
  });

  it('finds a required attribute no parameter fills', async () => {
    const m = await moduleWith({
      'variables.tf': MODULE['variables.tf'].replace(
        'password = string',
        'password = string\n    region = string',
      ),
    });
    expect(checkTemplateAgainstModule(template(), 'local', m).join()).toMatch(
      /params.region is required by the module but no template parameter fills it/,
    );
  });

  it('finds defaults that disagree', async () => {
    const m = await moduleWith({ 'variables.tf': MODULE['variables.tf'].replace('5432)', '5433)') });
    expect(checkTemplateAgainstModule(template(), 'local', m).join()).toMatch(
      /"port" defaults to 5432 but params.port to 5433/,
    );
  });

  it('finds missing outputs and secrecy that disagrees', async () => {
    const t = template();
    t.outputs.push({ name: 'host', description: 'Host.' });
    (t.outputs[0] as { secret?: boolean }).secret = true;
    const problems = checkTemplateAgainstModule(t, 'local', await moduleWith()).join('\n');
    expect(problems).toMatch(/output "host" does not exist in the module/);
    expect(problems).toMatch(/output "port" is secret in the template but not sensitive in the module/);
  });

  it('finds a secret parameter leaking through a non-sensitive output', async () => {
    const t = template();
    (t.outputs[1] as { secret?: boolean }).secret = false;
    const m = await moduleWith({ 'outputs.tf': MODULE['outputs.tf'].replace('  sensitive   = true\n', '') });
    expect(checkTemplateAgainstModule(t, 'local', m).join()).toMatch(/output.url carries a secret/);
  });
});
