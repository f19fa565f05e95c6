import type { CombinedError } from '@urql/core';
import type { FieldError, Json, Provider, TemplateParameter, ValidationErrors } from './api-types';

/** What the inputs hold: text (numbers and choices too, as typed or JSON-encoded) or a checkbox state. */
export type RawValues = Record<string, string | boolean>;

/** The fields that apply on a provider (a parameter with no providers listed applies on all). */
export const fieldsFor = (parameters: TemplateParameter[], provider: Provider) =>
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
