import { createSignal, type JSX, onCleanup } from 'solid-js';

/**
 * Copies a text to the clipboard and says so for two seconds ("Copied"), or says it could not (a browser
 * that refuses clipboard access).
 */
export function CopyButton(props: {
  text: () => string;
  /** What the button copies, for screen readers: "Copy the log", "Copy greeting". */
  label: string;
  disabled?: boolean;
  children?: JSX.Element;
}) {
  const [said, setSaid] = createSignal<'Copied' | 'Copy failed'>();
  let timer: number | undefined;
  onCleanup(() => window.clearTimeout(timer));
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.text());
      setSaid('Copied');
    } catch {
      setSaid('Copy failed');
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(() => setSaid(undefined), 2000);
  }
  return (
    <button
      type="button"
      class="button button-small"
      onClick={copy}
      disabled={props.disabled}
      aria-label={props.label}
    >
      <span aria-live="polite">{said() ?? props.children ?? 'Copy'}</span>
    </button>
  );
}
