import type { CombinedError } from '@urql/core';
import { type JSX, Show } from 'solid-js';
import { errorMessage } from '../lib/api-client';

/** An error from the API (or any), in an alert region so screen readers announce it. */
export function ErrorNotice(props: {
  error: CombinedError | Error | string | undefined;
  children?: JSX.Element;
}) {
  return (
    <Show when={errorMessage(props.error)}>
      {(message) => (
        <div class="notice notice-error" role="alert">
          <p>{message()}</p>
          {props.children}
        </div>
      )}
    </Show>
  );
}

/** A loading line, announced politely. */
export function Loading(props: { label?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" />
      {props.label ?? 'Loading…'}
    </p>
  );
}
