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

/**
 * What a query has to show: its error, a loading line until its first data, then `children` (which stay
 * while it refetches).
 */
export function Loaded(props: {
  query: { data?: unknown; error?: CombinedError };
  /** @default "Loading…" */
  label?: string;
  children: JSX.Element;
}) {
  return (
    <>
      <ErrorNotice error={props.query.error} />
      <Show
        when={props.query.data}
        fallback={
          <Show when={!props.query.error}>
            <Loading label={props.label} />
          </Show>
        }
      >
        {props.children}
      </Show>
    </>
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
