import { For } from 'solid-js';
import { dismissToast, toasts } from '../lib/toasts';

/** The toasts, bottom right, read out politely by screen readers. */
export function Toasts() {
  return (
    <div class="toasts" role="status" aria-live="polite">
      <For each={toasts()}>
        {(toast) => (
          <div class={`toast toast-${toast.tone}`}>
            <span>{toast.message}</span>
            <button
              type="button"
              class="toast-close"
              aria-label="Dismiss"
              onClick={() => dismissToast(toast.id)}
            >
              ×
            </button>
          </div>
        )}
      </For>
    </div>
  );
}
