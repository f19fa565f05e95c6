import { createEffect, For, Show } from 'solid-js';
import type { ValidationErrors } from '../lib/api-types';

/**
 * The API's refusal of a form, at its top: its sentence, then each field error linking to its field (the
 * fields show their own message too). Takes the focus when it appears, so keyboard and screen-reader users
 * land on it.
 */
export function ErrorSummary(props: {
  /** The API's refusal of the last submit, if any. */
  refusal: ValidationErrors | undefined;
  /** The id of the input showing a field, when the form has one. */
  fieldIdOf(field: string): string | undefined;
}) {
  let box: HTMLDivElement | undefined;
  createEffect(() => {
    if (props.refusal?.message) box?.focus();
  });
  return (
    <Show when={props.refusal?.message}>
      <div ref={box} class="notice notice-error error-summary" role="alert" tabindex="-1">
        <h2>The form was not saved</h2>
        <ul>
          <For each={props.refusal?.fieldErrors}>
            {(error) => (
              <li>
                <Show when={props.fieldIdOf(error.field)} fallback={error.message}>
                  {(id) => (
                    <a href={`#${id()}`} onClick={(event) => focusField(event, id())}>
                      {error.message}
                    </a>
                  )}
                </Show>
              </li>
            )}
          </For>
        </ul>
      </div>
    </Show>
  );
}

/** Takes the user into the field itself, not just to it: a fragment link scrolls but does not focus. */
function focusField(event: MouseEvent, id: string) {
  const field = document.getElementById(id);
  if (!field) return;
  event.preventDefault();
  field.scrollIntoView({ block: 'center' });
  field.focus();
}
