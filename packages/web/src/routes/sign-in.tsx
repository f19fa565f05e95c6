import { onMount, Show } from 'solid-js';
import { Toasts } from '../components/toasts';
import { takeSignedOut, useAuth } from '../lib/auth';
import { createPageTitle } from '../lib/create-page-title';
import { showToast } from '../lib/toasts';

/** What a signed-out visitor sees: what SpawnIt is, why they were signed out, and the way in. */
export function SignInPage() {
  const auth = useAuth();
  createPageTitle(() => 'Sign in');
  const returnTo = `${window.location.pathname}${window.location.search}`;
  // Back from the provider's sign-out (or signed out here when it has none): say it worked.
  onMount(() => {
    if (takeSignedOut()) showToast('Signed out. See you soon.');
  });
  return (
    <main id="main" class="sign-in">
      <img src="/favicon.svg" alt="" width="56" height="56" />
      <h1>SpawnIt</h1>
      <p class="lead">Pick a service, fill in a form, read the plan, confirm: it runs.</p>
      <Show when={auth.notice()}>
        <p class="notice notice-info" role="alert">
          {auth.notice()}
        </p>
      </Show>
      <button
        type="button"
        class="button button-primary button-large"
        onClick={() => void auth.signIn(returnTo)}
      >
        Sign in
      </button>
      <Toasts />
    </main>
  );
}
