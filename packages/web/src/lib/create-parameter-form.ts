import { createSignal } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { Json, Provider, TemplateParameter, ValidationErrors } from './api-types';
import {
  errorsByField,
  fieldsFor,
  initialValues,
  labelFieldError,
  type RawValues,
  toParams,
} from './parameter-form';

export interface ParameterFormOptions {
  /** The template's parameters (empty until it is loaded). */
  parameters(): TemplateParameter[];
  /** The chosen provider: a parameter of another provider has no field. */
  provider(): Provider;
  /** Prefix of the fields' element ids, unique on the page. */
  idPrefix: string;
  /** The labels of the page's own fields (not the template's), for the API's messages: `{ serviceId: 'Service id' }`. */
  labels?: Record<string, string>;
}

export type ParameterForm = ReturnType<typeof createParameterForm>;

/**
 * The state of the fields a template's parameters make in a form (a network's, a service's): their values,
 * and the API's refusal of the last submit, by field.
 */
export function createParameterForm(options: ParameterFormOptions) {
  const [values, setValues] = createStore<RawValues>({});
  const [refusal, setRefusal] = createSignal<ValidationErrors>();
  const fields = () => fieldsFor(options.parameters(), options.provider());
  const labelOf = (field: string) =>
    options.labels?.[field] ?? options.parameters().find((p) => p.name === field)?.label;

  return {
    idPrefix: options.idPrefix,
    /** The parameters that have a field, in the template's order. */
    fields,
    values,
    setValue: (name: string, value: string | boolean) => setValues(name, value),
    /** Back to the parameters' defaults (for a template loaded or changed), or to saved values to edit. */
    reset: (current?: Record<string, Json>) => setValues(initialValues(options.parameters(), current)),
    /** The `params` to send. */
    params: () => toParams(fields(), values),
    /** The API's refusal of the last submit. */
    refusal,
    /**
     * Shows the API's refusal, each message with its field's label rather than its key; `undefined` clears it,
     * before a submit. The values stay as typed.
     */
    setRefusal: (errors: ValidationErrors | undefined) =>
      setRefusal(
        errors && {
          ...errors,
          fieldErrors: errors.fieldErrors.map((e) => labelFieldError(e, labelOf(e.field))),
        },
      ),
    /** The refusal's messages by field name. */
    errors: () => errorsByField(refusal()?.fieldErrors),
    /** The id of a parameter's input, for an error to link to; none for a name that is not a field. */
    fieldIdOf: (field: string) =>
      fields().some((p) => p.name === field) ? `${options.idPrefix}-${field}` : undefined,
  };
}
