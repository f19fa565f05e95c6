import { createSignal } from 'solid-js';

/** A short message that outlives the page that raised it (a deleted service's page is gone). */
export interface Toast {
  id: number;
  message: string;
  tone: 'success' | 'info';
}

const [toasts, setToasts] = createSignal<Toast[]>([]);
let nextId = 1;

/** The toasts on screen, oldest first. */
export { toasts };

/** Removes one toast. */
export function dismissToast(id: number): void {
  setToasts((list) => list.filter((t) => t.id !== id));
}

/**
 * Shows a toast for `ms` milliseconds (or until closed).
 * @param ms @default 6_000
 */
export function showToast(message: string, options: { tone?: Toast['tone']; ms?: number } = {}): void {
  const id = nextId++;
  setToasts((list) => [...list, { id, message, tone: options.tone ?? 'success' }]);
  window.setTimeout(() => dismissToast(id), options.ms ?? 6_000);
}
