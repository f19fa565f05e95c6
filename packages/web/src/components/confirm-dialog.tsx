import { createEffect, createSignal, createUniqueId, type JSX, Show } from 'solid-js';

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: JSX.Element;
  confirmLabel: string;
  /** The button that closes the dialog doing nothing. @default 'Cancel' */
  cancelLabel?: string;
  /** The user must type this (e.g. the service id) before confirming. */
  requireText?: string;
  /** A destructive action: the confirm button says so. */
  danger?: boolean;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/** A modal confirmation on the native `<dialog>`: focus kept inside, Escape cancels. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  let dialog: HTMLDialogElement | undefined;
  const id = createUniqueId();
  const [typed, setTyped] = createSignal('');
  const canConfirm = () => !props.busy && (props.requireText === undefined || typed() === props.requireText);

  createEffect(() => {
    if (!dialog) return;
    if (props.open && !dialog.open) {
      setTyped('');
      dialog.showModal();
    } else if (!props.open && dialog.open) {
      dialog.close();
    }
  });

  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby={`${id}-title`}
      onClose={() => {
        if (props.open) props.onCancel();
      }}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (canConfirm()) props.onConfirm();
        }}
      >
        <h2 id={`${id}-title`}>{props.title}</h2>
        {props.children}
        <Show when={props.requireText}>
          {(text) => (
            <p class="field">
              <label for={`${id}-confirm`}>
                Type <strong>{text()}</strong> to confirm
              </label>
              <input
                id={`${id}-confirm`}
                value={typed()}
                onInput={(event) => setTyped(event.currentTarget.value)}
                autocomplete="off"
                autocapitalize="none"
                spellcheck={false}
              />
            </p>
          )}
        </Show>
        <div class="actions">
          <button type="button" class="button" onClick={() => props.onCancel()}>
            {props.cancelLabel ?? 'Cancel'}
          </button>
          <button
            type="submit"
            class={`button ${props.danger ? 'button-danger' : 'button-primary'}`}
            disabled={!canConfirm()}
          >
            {props.busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
