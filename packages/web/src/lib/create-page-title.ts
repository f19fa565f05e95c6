import { type Accessor, createEffect } from 'solid-js';

/** Keeps the tab's title on the page shown: what screen readers announce after a navigation. */
export function createPageTitle(title: Accessor<string | undefined>): void {
  createEffect(() => {
    const page = title();
    document.title = page ? `${page} – SpawnIt` : 'SpawnIt';
  });
}
