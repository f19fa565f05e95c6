import { createSignal } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { FieldError, Json, Provider, TemplateParameter, ValidationErrors } from './api-types';
import {
  checkField,
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
  /**
   * The checks of the page's own fields, in the order they come before the template's: each says what is
   * wrong with its field now, or `undefined`. @default none
   */
  checks?: Record<string, () => string | undefined>;
  /** Editing a saved service: an empty secret keeps the saved one, so it is not "required". @default false */
  editing?: boolean;
}

export type ParameterForm = ReturnType<typeof createParameterForm>;

/**
 * The state of the fields a template's parameters make in a form (a network's, a service's): their values,
 * what is wrong with them by the template's rules (shown once the user has left a field, then as they type),
 * and the API's refusal of the last submit, by field.
 */
export function createParameterForm(options: ParameterFormOptions) {
  const [values, setValues] = createStore<RawValues>({});
  const [refusal, setRefusal] = createSignal<ValidationErrors>();
  const [touched, setTouched] = createSignal<ReadonlySet<string>>(new Set());
  const fields = () => fieldsFor(options.parameters(), options.provider());
  const labelOf = (field: string) =>
    options.labels?.[field] ?? options.parameters().find((p) => p.name === field)?.label;

  /** What is wrong now with each field, in the form's order, whether or not the user has been there. */
  const problems = (): FieldError[] => {
    const found: FieldError[] = [];
    for (const [field, check] of Object.entries(options.checks ?? {})) {
      const message = check();
      if (message) found.push({ field, rule: 'check', message });
    }
    for (const p of fields()) {
      const message = checkField(p, values[p.name], { editing: options.editing });
      if (message) found.push({ field: p.name, rule: 'check', message });
    }
    return found;
  };
  /** The problems of the fields the user has left (or all, after a submit). */
  const shownProblems = () => problems().filter((e) => touched().has(e.field));
  /** A field the user changes is no longer what the API refused: its message goes. */
  const changed = (field: string) => {
    const current = refusal();
    if (!current?.fieldErrors.some((e) => e.field === field)) return;
    const rest = current.fieldErrors.filter((e) => e.field !== field);
    setRefusal(rest.length > 0 ? { ...current, fieldErrors: rest } : undefined);
  };

  return {
    idPrefix: options.idPrefix,
    /** The parameters that have a field, in the template's order. */
    fields,
    values,
    setValue: (name: string, value: string | boolean) => {
      setValues(name, value);
      changed(name);
    },
    /** A page's own field changed (the service id...): the API's message on it goes. */
    changed,
    /** The user left a field: its problem shows from now on, and follows what they type. */
    touch: (field: string) => setTouched((set) => new Set(set).add(field)),
    /** Back to the parameters' defaults (for a template loaded or changed), or to saved values to edit. */
    reset: (current?: Record<string, Json>) => {
      setValues(initialValues(options.parameters(), current));
      setTouched(new Set<string>());
    },
    /** The `params` to send. */
    params: () => toParams(fields(), values),
    /** The API's refusal of the last submit, or the form's own when a submit was held back. */
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
    /** The messages by field name: what is wrong by the rules where the user has been, else the API's. */
    errors: () => ({ ...errorsByField(refusal()?.fieldErrors), ...errorsByField(shownProblems()) }),
    /**
     * Before sending: `true` when every field is fine. Otherwise shows every problem (at its field and in the
     * summary), puts the focus on the summary, and the submit must not send.
     */
    check: (): boolean => {
      const found = problems();
      setTouched(new Set([...touched(), ...found.map((e) => e.field)]));
      if (found.length === 0) return true;
      setRefusal({ message: 'Fix these fields first.', fieldErrors: found });
      return false;
    },
    /**
     * The submit button's words: `ready` when nothing is wrong where the user has been, else what to fix
     * ("Fix Message first", "Fix 2 fields first").
     */
    submitLabel: (ready: string) => {
      const shown = [...new Set(shownProblems().map((e) => e.field))];
      if (shown.length === 0) return ready;
      if (shown.length === 1) return `Fix ${labelOf(shown[0]!) ?? shown[0]} first`;
      return `Fix ${shown.length} fields first`;
    },
    /** The id of a parameter's input, for an error to link to; none for a name that is not a field. */
    fieldIdOf: (field: string) =>
      fields().some((p) => p.name === field) ? `${options.idPrefix}-${field}` : undefined,
  };
}

/**
 * For a form's submit button: a press does not take the focus from the field being typed in. Leaving the
 * field would show its problem, which moves the button before the mouse is released, and the click would be
 * lost; the submit shows every problem anyway.
 */
export function keepFocus(event: MouseEvent): void {
  event.preventDefault();
}
