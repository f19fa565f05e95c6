import { randomBytes } from 'node:crypto';
import { type FieldError, ValidationError } from '../errors.js';
import type { ProviderName } from '../ids.js';
import { checkValue, type ParameterValue, type Template, type TemplateParameter } from './template.js';

export type Params = Record<string, ParameterValue>;

export interface ValidateParamsOptions {
  provider: ProviderName;
  /**
   * The values saved before, for an update: a secret left empty keeps its saved value rather than being
   * generated again.
   */
  previous?: Params;
}

const SECRET_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random secret from an unambiguous alphabet (no 0/O, 1/l/I), with no modulo bias. */
export function generateSecret(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 256 - 256 % 57 = 228: bytes above that would favour the first letters.
      if (byte < 256 - (256 % SECRET_ALPHABET.length)) out += SECRET_ALPHABET[byte % SECRET_ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}

function appliesTo(parameter: TemplateParameter, provider: ProviderName): boolean {
  return !parameter.providers || parameter.providers.includes(provider);
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

// A password of spaces is a slip (a paste, a held key), never a choice: treat it as not given.
function isEmptySecret(parameter: TemplateParameter, value: unknown): boolean {
  return isEmpty(value) || (parameter.secret === true && typeof value === 'string' && value.trim() === '');
}

/**
 * Checks form values against a template and returns the complete parameter set the module receives:
 * defaults filled in, secrets generated, unknown fields refused. Every error names the field and the rule.
 */
export function validateParams(template: Template, input: unknown, options: ValidateParamsOptions): Params {
  const errors: FieldError[] = [];
  const params: Params = {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(`Parameters of "${template.id}"`, [
      { field: 'params', rule: 'type', message: 'params must be an object of field names to values' },
    ]);
  }
  const values = input as Record<string, unknown>;
  const known = new Set(template.parameters.map((p) => p.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) {
      errors.push({
        field: name,
        rule: 'unknown',
        message: `"${name}" is not a parameter of ${template.name}; known parameters: ${[...known].join(', ') || 'none'}`,
      });
    }
  }
  for (const parameter of template.parameters) {
    const label = parameter.label ?? parameter.name;
    const raw = values[parameter.name];
    if (!appliesTo(parameter, options.provider)) {
      if (!isEmpty(raw)) {
        errors.push({
          field: parameter.name,
          rule: 'provider',
          message: `${label} (${parameter.name}) only applies to ${parameter.providers?.join(', ')}, not ${options.provider}`,
        });
      }
      continue;
    }
    let value: unknown = raw;
    if (isEmptySecret(parameter, value)) {
      const kept = options.previous?.[parameter.name];
      if (parameter.secret && !isEmptySecret(parameter, kept)) value = kept;
      else if (parameter.default !== undefined) value = parameter.default;
      else if (parameter.generate) value = generateSecret(parameter.generate.length);
      else if (parameter.required) {
        errors.push({
          field: parameter.name,
          rule: 'required',
          message: `${label} (${parameter.name}) is required`,
        });
        continue;
      } else {
        params[parameter.name] = null;
        continue;
      }
    }
    const problem = checkValue(parameter, value);
    if (problem) {
      errors.push({
        field: parameter.name,
        rule: problem.rule,
        message: `${label} (${parameter.name}) ${problem.message}`,
      });
      continue;
    }
    params[parameter.name] = value as ParameterValue;
  }
  if (errors.length > 0) throw new ValidationError(`Parameters of "${template.id}"`, errors);
  return params;
}

/** A copy of the parameters with every secret replaced by `null`, for showing a configuration back. */
export function maskSecrets(template: Template, params: Params): Params {
  const masked: Params = { ...params };
  for (const parameter of template.parameters) {
    if (parameter.secret && parameter.name in masked) masked[parameter.name] = null;
  }
  return masked;
}
