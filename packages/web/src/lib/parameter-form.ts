import type { CombinedError } from '@urql/core';
import type { FieldError, Json, Provider, TemplateParameter, ValidationErrors } from './api-types';

/** What the inputs hold: text (numbers and choices too, as typed or JSON-encoded) or a checkbox state. */
export type RawValues = Record<string, string | boolean>;

/**
 * The parameters that apply on a provider (one with no providers listed applies on all): an AWS region or
 * instance type means nothing to a local Docker service, in its form or its configuration.
 */
export const fieldsFor = <P extends { providers: Provider[] }>(parameters: P[], provider: Provider): P[] =>
  parameters.filter((p) => p.providers.length === 0 || p.providers.includes(provider));

/**
 * The inputs' starting values: the saved ones when editing (`current`), else the defaults. Secrets start empty:
 * they are never sent back, and an empty secret keeps the saved one (or generates one).
 */
export function initialValues(parameters: TemplateParameter[], current?: Record<string, Json>): RawValues {
  const values: RawValues = {};
  for (const p of parameters) {
    const value = current && p.name in current && current[p.name] !== null ? current[p.name] : p.default;
    if (p.type === 'BOOLEAN') values[p.name] = value === true;
    else if (p.enum) values[p.name] = JSON.stringify(value ?? (p.required ? p.enum[0] : null));
    else values[p.name] = value === null || value === undefined || p.secret ? '' : String(value);
  }
  return values;
}

/**
 * The `params` to send: empty fields left out (the API applies defaults and generates secrets), numbers as
 * numbers. A number that does not parse is sent as typed, so the API names the field and says why.
 */
export function toParams(parameters: TemplateParameter[], values: RawValues): Record<string, Json> {
  const params: Record<string, Json> = {};
  for (const p of parameters) {
    const raw = values[p.name];
    if (raw === undefined) continue;
    if (typeof raw === 'boolean') {
      params[p.name] = raw;
    } else if (p.enum) {
      const value = JSON.parse(raw) as Json;
      if (value !== null) params[p.name] = value;
    } else if (raw === '' || (p.type !== 'STRING' && raw.trim() === '')) {
      // Left empty: the default applies, or a secret is generated.
    } else if (p.type === 'INTEGER' || p.type === 'NUMBER') {
      const n = Number(raw);
      params[p.name] = Number.isFinite(n) ? n : raw;
    } else {
      params[p.name] = raw;
    }
  }
  return params;
}

/** Field errors by field name, several joined. */
export function errorsByField(errors: FieldError[] | undefined): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const e of errors ?? [])
    byField[e.field] = byField[e.field] ? `${byField[e.field]} ${e.message}` : e.message;
  return byField;
}

/**
 * The API's message for a field, with the field's label where it names the field by its key: the API writes
 * "Port (port) must be at most 65535" or "serviceId "X" is not valid"; the form says "Port must be at most
 * 65535" and "Service id "X" is not valid", as the field is labelled on screen.
 */
export function labelFieldError(error: FieldError, label: string | undefined): FieldError {
  if (!label) return error;
  const { field } = error;
  let message = error.message;
  for (const prefix of [`${label} (${field})`, `"${field}"`, field]) {
    if (message.startsWith(`${prefix} `)) {
      message = label + message.slice(prefix.length);
      break;
    }
  }
  return { ...error, message: message.replaceAll(` (${field})`, '') };
}

/**
 * A create refused because the name is taken (the API's `CONFLICT`), as a refusal of the field that holds the
 * name, so the form shows it there like any other field error; `undefined` for any other error.
 */
export function conflictAsRefusal(
  error: CombinedError | undefined,
  field: string,
): ValidationErrors | undefined {
  const conflict = error?.graphQLErrors.find((e) => e.extensions?.code === 'CONFLICT');
  if (!conflict) return undefined;
  return { message: conflict.message, fieldErrors: [{ field, rule: 'taken', message: conflict.message }] };
}

/**
 * The template's pattern for the `pattern` attribute, or none when the browser could not compile it (it
 * uses the `v` flag, stricter than the API's `u`): a hint must never block a value the API accepts.
 */
export function htmlPattern(pattern: string | null): string | undefined {
  if (!pattern) return undefined;
  try {
    new RegExp(pattern, 'v');
    return pattern;
  } catch {
    return undefined;
  }
}

// The API's rule for the ids a user chooses (packages/engine/src/ids.ts), and its words.
const SLUG = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

/**
 * What is wrong with a service id or network name, in the API's words with the field's label; `undefined`
 * when it is fine.
 */
export function checkSlug(label: string, value: string): string | undefined {
  if (value === '') return `${label} is required`;
  if (SLUG.test(value) && !value.includes('--')) return undefined;
  return `${label} ${JSON.stringify(value)} is not valid: use 2-40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (e.g. "my-db").`;
}

/**
 * What is wrong with a field's value by the template's rules, in the same words as the API (its checkValue,
 * packages/engine/src/catalog/template.ts) with the field's label; `undefined` when it is fine. The API checks
 * again: this only spares a round trip and shows the problem while the user is at the field.
 */
export function checkField(
  p: TemplateParameter,
  raw: string | boolean | undefined,
  options: {
    /** Editing a saved service: an empty secret keeps the saved one. @default false */
    editing?: boolean;
  } = {},
): string | undefined {
  // A checkbox is always true or false, and a choice is one of the template's own values.
  if (raw === undefined || typeof raw === 'boolean' || p.enum) return undefined;
  const empty = p.secret ? raw.trim() === '' : raw === '' || (p.type !== 'STRING' && raw.trim() === '');
  if (empty) {
    const filled = p.default !== null || p.generated || (p.secret && options.editing);
    return p.required && !filled ? `${p.label} is required` : undefined;
  }
  const problem = (message: string) => `${p.label} ${message}`;
  if (p.type === 'INTEGER' || p.type === 'NUMBER') {
    const value = Number(raw);
    if (!Number.isFinite(value)) return problem('must be a number');
    if (p.type === 'INTEGER' && !Number.isInteger(value)) return problem('must be a whole number');
    if (p.min !== null && value < p.min) return problem(`must be at least ${p.min}`);
    if (p.max !== null && value > p.max) return problem(`must be at most ${p.max}`);
    return undefined;
  }
  if (p.minLength !== null && raw.length < p.minLength) {
    return problem(`must be at least ${p.minLength} characters long`);
  }
  if (p.maxLength !== null && raw.length > p.maxLength) {
    return problem(`must be at most ${p.maxLength} characters long`);
  }
  if (p.pattern !== null && !new RegExp(p.pattern, 'u').test(raw)) {
    return problem(`must match the pattern ${p.pattern}`);
  }
  return undefined;
}

/** The template's rules for a field, as a hint under it before anything is wrong: "A whole number from 1024 to 65535." */
export function ruleHint(p: TemplateParameter): string | undefined {
  if (p.enum || p.type === 'BOOLEAN') return undefined;
  if (p.type === 'INTEGER' || p.type === 'NUMBER') {
    const kind = p.type === 'INTEGER' ? 'A whole number' : 'A number';
    if (p.min !== null && p.max !== null) return `${kind} from ${p.min} to ${p.max}.`;
    if (p.min !== null) return `${kind}, at least ${p.min}.`;
    if (p.max !== null) return `${kind}, at most ${p.max}.`;
    return `${kind}.`;
  }
  const parts: string[] = [];
  if (p.minLength !== null && p.maxLength !== null) parts.push(`${p.minLength} to ${p.maxLength} characters`);
  else if (p.minLength !== null) parts.push(`at least ${p.minLength} characters`);
  else if (p.maxLength !== null) parts.push(`up to ${p.maxLength} characters`);
  if (p.pattern !== null) parts.push(`matching ${p.pattern}`);
  if (parts.length === 0) return undefined;
  const text = parts.join(', ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}
