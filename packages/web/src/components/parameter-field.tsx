import { For, Match, Show, Switch } from 'solid-js';
import type { TemplateParameter } from '../lib/api-types';
import type { ParameterForm } from '../lib/create-parameter-form';
import { htmlPattern, ruleHint } from '../lib/parameter-form';

export interface ParameterFieldProps {
  parameter: TemplateParameter;
  value: string | boolean;
  onChange(value: string | boolean): void;
  /** The user left the field: its problems show from now on. */
  onBlur?(): void;
  /** What is wrong with the value (by the template's rules, or the API's). */
  error?: string;
  /** Prefix of element ids, unique on the page. */
  idPrefix: string;
}

/**
 * One form field of a template: a checkbox, a choice, a number, a password or text. The template's limits are
 * HTML constraints for assistive technology; the form (novalidate) checks them itself and shows what is wrong
 * under the field, in the API's words, instead of the browser's bubbles.
 */
export function ParameterField(props: ParameterFieldProps) {
  const id = () => `${props.idPrefix}-${props.parameter.name}`;
  const describedBy = () => [`${id()}-hint`, props.error ? `${id()}-error` : ''].filter(Boolean).join(' ');
  const text = () => (typeof props.value === 'string' ? props.value : '');
  const common = () => ({
    id: id(),
    name: props.parameter.name,
    'aria-describedby': describedBy(),
    'aria-invalid': props.error ? true : undefined,
    onBlur: () => props.onBlur?.(),
  });
  const label = () => (
    <>
      {props.parameter.label}
      <Show when={props.parameter.required && props.parameter.type !== 'BOOLEAN'}>
        <span class="required"> (required)</span>
      </Show>
    </>
  );

  return (
    <div class={`field${props.error ? ' field-invalid' : ''}`}>
      <Switch
        fallback={
          <>
            <label for={id()}>{label()}</label>
            <input
              {...common()}
              type={props.parameter.secret ? 'password' : 'text'}
              value={text()}
              onInput={(event) => props.onChange(event.currentTarget.value)}
              required={props.parameter.required}
              minLength={props.parameter.minLength ?? undefined}
              maxLength={props.parameter.maxLength ?? undefined}
              pattern={htmlPattern(props.parameter.pattern)}
              placeholder={
                props.parameter.secret && props.parameter.generated ? 'Leave empty to generate' : undefined
              }
              autocomplete={props.parameter.secret ? 'new-password' : 'off'}
              spellcheck={false}
            />
          </>
        }
      >
        <Match when={props.parameter.type === 'BOOLEAN'}>
          <div class="checkbox">
            <input
              {...common()}
              type="checkbox"
              checked={props.value === true}
              onChange={(event) => props.onChange(event.currentTarget.checked)}
            />
            <label for={id()}>{label()}</label>
          </div>
        </Match>
        <Match when={props.parameter.enum}>
          {(choices) => (
            <>
              <label for={id()}>{label()}</label>
              <select
                {...common()}
                value={text()}
                onChange={(event) => props.onChange(event.currentTarget.value)}
                required={props.parameter.required}
              >
                {/* `selected` on the options: a select's value set before its options exist shows the first one. */}
                <Show when={!props.parameter.required}>
                  <option value="null" selected={text() === 'null'}>
                    (default)
                  </option>
                </Show>
                <For each={choices()}>
                  {(choice) => (
                    <option value={JSON.stringify(choice)} selected={JSON.stringify(choice) === text()}>
                      {String(choice)}
                    </option>
                  )}
                </For>
              </select>
            </>
          )}
        </Match>
        <Match when={props.parameter.type === 'INTEGER' || props.parameter.type === 'NUMBER'}>
          <label for={id()}>{label()}</label>
          <input
            {...common()}
            type="number"
            inputMode={props.parameter.type === 'INTEGER' ? 'numeric' : 'decimal'}
            step={props.parameter.type === 'INTEGER' ? 1 : 'any'}
            min={props.parameter.min ?? undefined}
            max={props.parameter.max ?? undefined}
            value={text()}
            onInput={(event) => props.onChange(event.currentTarget.value)}
            required={props.parameter.required}
          />
        </Match>
      </Switch>
      <p class="hint" id={`${id()}-hint`}>
        {props.parameter.description}
        <Show when={ruleHint(props.parameter)}>{(rules) => <> {rules()}</>}</Show>
        <Show when={props.parameter.secret}>
          {' '}
          {props.parameter.generated
            ? 'Leave it empty to generate a strong one. It is never shown back.'
            : 'It is never shown back.'}
        </Show>
      </p>
      <Show when={props.error}>
        <p class="field-error" id={`${id()}-error`}>
          {props.error}
        </p>
      </Show>
    </div>
  );
}

/** A field for each parameter of the form, with what is wrong with it. */
export function ParameterFields(props: { form: ParameterForm }) {
  return (
    <For each={props.form.fields()}>
      {(parameter) => (
        <ParameterField
          parameter={parameter}
          idPrefix={props.form.idPrefix}
          value={props.form.values[parameter.name] ?? ''}
          onChange={(value) => props.form.setValue(parameter.name, value)}
          onBlur={() => props.form.touch(parameter.name)}
          error={props.form.errors()[parameter.name]}
        />
      )}
    </For>
  );
}
