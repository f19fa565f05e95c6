import { A, type RouteSectionProps } from '@solidjs/router';
import { Suspense } from 'solid-js';
import { useAuth } from '../lib/auth';
import { Loading } from './notices';
import { SystemNotices } from './system-notices';
import { Toasts } from './toasts';

/** The frame of every page: a skip link, the site navigation, who is signed in, and the page. */
export function Layout(props: RouteSectionProps) {
  const auth = useAuth();
  const username = () => {
    const profile = auth.user()?.profile;
    return profile?.preferred_username ?? profile?.name ?? profile?.sub ?? '';
  };
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <A href="/" class="brand" end>
          <img src="/favicon.svg" alt="" width="28" height="28" />
          SpawnIt
        </A>
        <nav class="main-nav" aria-label="Main">
          <ul>
            <li>
              <A href="/" end>
                Catalog
              </A>
            </li>
            <li>
              <A href="/services">Services</A>
            </li>
            <li>
              <A href="/networks">Networks</A>
            </li>
            <li>
              <A href="/jobs" end>
                Jobs
              </A>
            </li>
          </ul>
        </nav>
        <div class="user">
          <span class="username" title="Signed in as">
            {username()}
          </span>
          <button type="button" class="button button-small" onClick={() => void auth.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabindex="-1">
        <SystemNotices />
        <Suspense fallback={<Loading />}>{props.children}</Suspense>
      </main>
      <Toasts />
    </>
  );
}
