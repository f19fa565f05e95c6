import type { CombinedError } from '@urql/core';
import { type JSX, Show } from 'solid-js';
import { describeFailure } from '../lib/describe-failure';

/**
 * An error from the API (or any), in an alert region so screen readers announce it: what failed (`what`, when
 * given), why, what to do, and a "Try again" button when `retry` is given.
 */
export function ErrorNotice(props: {
  error: CombinedError | Error | string | undefined;
  /** What could not be done, e.g. "Could not load service “my-db”". @default "That did not work" */
  what?: string;
  /** Runs the failed request again; without it, no button (the user retries with the form's own button). */
  retry?: () => void;
  /** Whether the retry is under way. @default false */
  retrying?: boolean;
  children?: JSX.Element;
}) {
  return (
    <Show when={props.error}>
      {(error) => {
        const failure = () => describeFailure(error());
        return (
          <div class="notice notice-error error-notice" role="alert">
            <p>
              <strong>{props.what ?? 'That did not work'}</strong>: {failure().reason}.
            </p>
            <p>{failure().advice}</p>
            {props.children}
            <Show when={props.retry}>
              {(retry) => (
                <p>
                  <button
                    type="button"
                    class="button button-small"
                    disabled={props.retrying}
                    onClick={() => retry()()}
                  >
                    {props.retrying ? 'Trying again…' : 'Try again'}
                  </button>
                </p>
              )}
            </Show>
          </div>
        );
      }}
    </Show>
  );
}

/**
 * What a query has to show: its error with a "Try again" button, a loading line until its first data, then `children` (which stay
 * while it refetches).
 */
export function Loaded(props: {
  query: { data?: unknown; error?: CombinedError; fetching?: boolean };
  /** What the query loads, for its error: "service “my-db”", "your networks". */
  what: string;
  /** Runs the query again (urql's refetch), for the error's "Try again" button. */
  retry: (options: { requestPolicy: 'network-only' }) => void;
  /** @default "Loading…" */
  label?: string;
  children: JSX.Element;
}) {
  return (
    <>
      <ErrorNotice
        error={props.query.error}
        what={`Could not load ${props.what}`}
        retry={() => props.retry({ requestPolicy: 'network-only' })}
        retrying={props.query.fetching}
      />
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
