/**
 * Rules for catalog templates (the format of catalog/README.md) and for how a template fits its modules:
 * every parameter is a `params` attribute of a compatible type, every required attribute is filled, every
 * output exists with the same secrecy.
 */
import type { TfModule } from './hcl.js';
import { checkSensitiveOutputs } from './module-rules.js';
import { formatType, type HclType, literalValue, parseTypeExpression } from './type-expression.js';

export const PROVIDERS = ['local', 'aws'] as const;
type Provider = (typeof PROVIDERS)[number];

const TEMPLATE_ID = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const MODULE_PATH = /^[a-z0-9][a-z0-9_/-]*$/;
const PARAMETER_TYPES = ['string', 'integer', 'number', 'boolean'] as const;
const TEMPLATE_FIELDS = ['id', 'name', 'description', 'category', 'icon', 'modules', 'parameters', 'outputs'];
const PARAMETER_FIELDS = [
  'name',
  'type',
  'label',
  'description',
  'required',
  'default',
  'enum',
  'min',
  'max',
  'minLength',
  'maxLength',
  'pattern',
  'secret',
  'generate',
  'providers',
];
const OUTPUT_FIELDS = ['name', 'description', 'secret'];

export interface TemplateParameter {
  name: string;
  type: (typeof PARAMETER_TYPES)[number];
  label?: string;
  description: string;
  required?: boolean;
  default?: string | number | boolean;
  enum?: (string | number)[];
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  secret?: boolean;
  generate?: { length: number };
  providers?: Provider[];
}

export interface TemplateOutput {
  name: string;
  description: string;
  secret?: boolean;
}

export interface Template {
  id: string;
  name: string;
  description: string;
  category: string;
  icon: string;
  modules: Partial<Record<Provider, string>>;
  parameters: TemplateParameter[];
  outputs: TemplateOutput[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Why a value breaks a parameter's rules, or `undefined` when it fits. */
export function checkParameterValue(p: TemplateParameter, value: unknown): string | undefined {
  if (p.type === 'boolean') return typeof value === 'boolean' ? undefined : 'must be true or false';
  if (p.type === 'integer' || p.type === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
    if (p.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
    if (p.min !== undefined && value < p.min) return `must be at least ${p.min}`;
    if (p.max !== undefined && value > p.max) return `must be at most ${p.max}`;
  } else {
    if (typeof value !== 'string') return 'must be text';
    if (p.minLength !== undefined && value.length < p.minLength)
      return `must be at least ${p.minLength} characters`;
    if (p.maxLength !== undefined && value.length > p.maxLength)
      return `must be at most ${p.maxLength} characters`;
    if (p.pattern !== undefined && !new RegExp(p.pattern, 'u').test(value)) return `must match ${p.pattern}`;
  }
  if (p.enum && !p.enum.includes(value as string | number)) return `must be one of ${JSON.stringify(p.enum)}`;
  return undefined;
}

function unknownFields(where: string, value: Record<string, unknown>, allowed: readonly string[]): string[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${where}: unknown field "${key}"`);
}

function validateParameter(file: string, p: unknown, modules: readonly string[]): string[] {
  if (!isObject(p)) return [`${file}: every parameter must be an object`];
  const where = `${file}: parameter ${JSON.stringify(p.name)}`;
  const problems = unknownFields(where, p, PARAMETER_FIELDS);
  if (typeof p.name !== 'string' || !NAME.test(p.name)) problems.push(`${where}: name must match ${NAME}`);
  if (!PARAMETER_TYPES.includes(p.type as TemplateParameter['type'])) {
    problems.push(`${where}: type must be one of ${PARAMETER_TYPES.join(', ')}`);
    return problems;
  }
  if (!isText(p.description)) problems.push(`${where}: description is required`);
  if (p.label !== undefined && !isText(p.label)) problems.push(`${where}: label must be text`);
  for (const flag of ['required', 'secret'] as const) {
    if (p[flag] !== undefined && typeof p[flag] !== 'boolean')
      problems.push(`${where}: ${flag} must be true or false`);
  }
  const numeric = p.type === 'integer' || p.type === 'number';
  for (const bound of ['min', 'max'] as const) {
    if (p[bound] === undefined) continue;
    if (!numeric) problems.push(`${where}: ${bound} is only for integer and number parameters`);
    else if (typeof p[bound] !== 'number') problems.push(`${where}: ${bound} must be a number`);
  }
  for (const bound of ['minLength', 'maxLength'] as const) {
    if (p[bound] === undefined) continue;
    if (p.type !== 'string') problems.push(`${where}: ${bound} is only for string parameters`);
    else if (!Number.isInteger(p[bound]) || (p[bound] as number) < 0)
      problems.push(`${where}: ${bound} must be a whole number`);
  }
  if (p.pattern !== undefined) {
    if (p.type !== 'string') problems.push(`${where}: pattern is only for string parameters`);
    try {
      new RegExp(String(p.pattern), 'u');
    } catch {
      problems.push(`${where}: pattern is not a valid regular expression`);
    }
  }
  if (p.generate !== undefined) {
    const length = isObject(p.generate) ? p.generate.length : undefined;
    if (!Number.isInteger(length) || (length as number) < 8 || (length as number) > 128) {
      problems.push(`${where}: generate must be { "length": N } with 8 <= N <= 128`);
    }
    if (p.type !== 'string' || p.secret !== true)
      problems.push(`${where}: generate is only for secret string parameters`);
  }
  if (p.secret === true && p.default !== undefined) {
    problems.push(
      `${where}: a secret must not have a default (it would be the same everywhere, in clear in the catalog)`,
    );
  }
  if (p.providers !== undefined) {
    if (!Array.isArray(p.providers) || p.providers.length === 0)
      problems.push(`${where}: providers must be a non-empty list`);
    else {
      for (const provider of p.providers) {
        if (!modules.includes(provider as string)) {
          problems.push(`${where}: providers names "${provider}", which has no module in this template`);
        }
      }
    }
  }
  if (p.enum !== undefined) {
    if (!Array.isArray(p.enum) || p.enum.length === 0)
      problems.push(`${where}: enum must be a non-empty list`);
    else {
      for (const value of p.enum) {
        const problem = checkParameterValue(
          { ...(p as unknown as TemplateParameter), enum: undefined },
          value,
        );
        if (problem) problems.push(`${where}: enum value ${JSON.stringify(value)} ${problem}`);
      }
    }
  }
  if (p.default !== undefined && problems.length === 0) {
    const problem = checkParameterValue(p as unknown as TemplateParameter, p.default);
    if (problem) problems.push(`${where}: default ${JSON.stringify(p.default)} ${problem}`);
  }
  return problems;
}

/** Checks a parsed template file against the format of catalog/README.md. */
export function validateTemplate(file: string, template: unknown): string[] {
  if (!isObject(template)) return [`${file}: a template is a JSON object`];
  const problems = unknownFields(file, template, TEMPLATE_FIELDS);
  if (typeof template.id !== 'string' || !TEMPLATE_ID.test(template.id)) {
    problems.push(`${file}: id must be 2-40 lowercase letters, digits and "-" (${TEMPLATE_ID})`);
  }
  for (const field of ['name', 'description', 'category', 'icon'] as const) {
    if (!isText(template[field])) problems.push(`${file}: ${field} is required`);
  }
  const modules = isObject(template.modules) ? template.modules : {};
  if (!isObject(template.modules) || Object.keys(modules).length === 0) {
    problems.push(`${file}: modules must name a module for at least one provider`);
  }
  for (const [provider, modulePath] of Object.entries(modules)) {
    if (!PROVIDERS.includes(provider as Provider))
      problems.push(`${file}: modules.${provider} is not a provider (${PROVIDERS})`);
    if (
      typeof modulePath !== 'string' ||
      !MODULE_PATH.test(modulePath) ||
      modulePath.split('/').includes('..')
    ) {
      problems.push(`${file}: modules.${provider} must be a path inside the modules folder`);
    }
  }
  const parameters = Array.isArray(template.parameters) ? template.parameters : undefined;
  if (!parameters) problems.push(`${file}: parameters must be a list`);
  const outputs = Array.isArray(template.outputs) ? template.outputs : undefined;
  if (!outputs) problems.push(`${file}: outputs must be a list`);
  for (const p of parameters ?? []) problems.push(...validateParameter(file, p, Object.keys(modules)));
  for (const o of outputs ?? []) {
    if (!isObject(o)) {
      problems.push(`${file}: every output must be an object`);
      continue;
    }
    const where = `${file}: output ${JSON.stringify(o.name)}`;
    problems.push(...unknownFields(where, o, OUTPUT_FIELDS));
    if (typeof o.name !== 'string' || !NAME.test(o.name)) problems.push(`${where}: name must match ${NAME}`);
    if (!isText(o.description)) problems.push(`${where}: description is required`);
    if (o.secret !== undefined && typeof o.secret !== 'boolean')
      problems.push(`${where}: secret must be true or false`);
  }
  for (const [kind, list] of [
    ['parameter', parameters],
    ['output', outputs],
  ] as const) {
    const names = (list ?? []).map((item) => (isObject(item) ? item.name : undefined));
    for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i))) {
      problems.push(`${file}: ${kind} ${JSON.stringify(name)} is defined twice`);
    }
  }
  return problems;
}

const HCL_TYPE_OF: Record<TemplateParameter['type'], HclType['kind']> = {
  string: 'string',
  integer: 'number',
  number: 'number',
  boolean: 'bool',
};

/** The parameters the engine sends to the module of one provider. */
export function parametersFor(template: Template, provider: Provider): TemplateParameter[] {
  return template.parameters.filter((p) => !p.providers || p.providers.includes(provider));
}

/**
 * Checks a template against the module of one of its providers: parameters ↔ `params` attributes (type,
 * optionality, defaults), outputs (existence, secret ↔ sensitive), and secrets never leaking through a
 * non-sensitive output.
 */
export function checkTemplateAgainstModule(template: Template, provider: Provider, m: TfModule): string[] {
  const where = `template "${template.id}" (${provider}, ${m.dir})`;
  const problems: string[] = [];
  const paramsType =
    typeof m.variables.params?.body.type === 'string' ? m.variables.params.body.type : undefined;
  let attributes: Extract<HclType, { kind: 'object' }>['attributes'] = {};
  try {
    const type = paramsType === undefined ? undefined : parseTypeExpression(paramsType);
    if (type?.kind !== 'object') problems.push(`${where}: the module has no params object variable`);
    else attributes = type.attributes;
  } catch (error) {
    problems.push(`${where}: params type does not parse: ${(error as Error).message}`);
  }
  const sent = parametersFor(template, provider);
  for (const p of sent) {
    const attribute = attributes[p.name];
    if (!attribute) {
      problems.push(`${where}: parameter "${p.name}" is not an attribute of var.params`);
      continue;
    }
    const expected = HCL_TYPE_OF[p.type];
    if (attribute.type.kind !== expected && attribute.type.kind !== 'any') {
      problems.push(
        `${where}: parameter "${p.name}" is ${p.type} but params.${p.name} is ${formatType(attribute.type)}`,
      );
    }
    const mayBeNull = !p.required && p.default === undefined && !p.generate;
    if (mayBeNull && !attribute.optional) {
      problems.push(
        `${where}: parameter "${p.name}" may be left empty (sent as null), so params.${p.name} must be optional(...)`,
      );
    }
    if (attribute.optional && attribute.defaultSource !== undefined && p.default !== undefined) {
      const moduleDefault = literalValue(attribute.defaultSource);
      if (moduleDefault !== undefined && moduleDefault !== p.default) {
        problems.push(
          `${where}: parameter "${p.name}" defaults to ${JSON.stringify(p.default)} but params.${p.name} to ${attribute.defaultSource}`,
        );
      }
    }
  }
  for (const [name, attribute] of Object.entries(attributes)) {
    if (!attribute.optional && !sent.some((p) => p.name === name)) {
      problems.push(`${where}: params.${name} is required by the module but no template parameter fills it`);
    }
  }
  for (const output of template.outputs) {
    const moduleOutput = m.outputs[output.name];
    if (!moduleOutput) {
      problems.push(`${where}: output "${output.name}" does not exist in the module`);
      continue;
    }
    const sensitive = moduleOutput.body.sensitive === true;
    if (!!output.secret !== sensitive) {
      problems.push(
        `${where}: output "${output.name}" is ${output.secret ? 'secret' : 'not secret'} in the template but ${sensitive ? '' : 'not '}sensitive in the module`,
      );
    }
  }
  const secrets = sent.filter((p) => p.secret).map((p) => p.name);
  problems.push(...checkSensitiveOutputs(m, secrets).map((problem) => `${where}: ${problem}`));
  return problems;
}
