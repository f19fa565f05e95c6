import { Route, Router } from '@solidjs/router';
import { Provider as UrqlProvider } from '@urql/solid';
import { createEffect, createResource, Match, on, onCleanup, Switch } from 'solid-js';
import { Layout } from './components/layout';
import { ErrorNotice, Loading } from './components/notices';
import { createApiClient } from './lib/api-client';
import { AuthProvider, createAuth, useAuth } from './lib/auth';
import { fetchRuntimeConfig, type RuntimeConfig } from './lib/runtime-config';
import { CatalogPage } from './routes/catalog';
import { EditServicePage } from './routes/edit-service';
import { JobPage } from './routes/job';
import { JobsPage } from './routes/jobs';
import { NetworkPage } from './routes/network';
import { NetworksPage } from './routes/networks';
import { NewServicePage } from './routes/new-service';
import { NotFoundPage } from './routes/not-found';
import { ServicePage } from './routes/service';
import { ServicesPage } from './routes/services';
import { SignInPage } from './routes/sign-in';

/** Reads the server's settings, then signs in, then shows the app. */
export function App() {
  const [config, { refetch }] = createResource(fetchRuntimeConfig);
  return (
    <Switch fallback={<Loading label="Starting…" />}>
      <Match when={config.error as Error | undefined}>
        {(error) => (
          <main id="main" class="sign-in">
            <h1>SpawnIt cannot start</h1>
            <ErrorNotice
              error={error()}
              what="Could not read SpawnIt’s settings"
              retry={() => void refetch()}
            />
          </main>
        )}
      </Match>
      <Match when={config()}>{(c) => <Session config={c()} />}</Match>
    </Switch>
  );
}

function Session(props: { config: RuntimeConfig }) {
  const auth = createAuth(props.config);
  return (
    <AuthProvider value={auth}>
      <Switch fallback={<SignInPage />}>
        <Match when={auth.user() === undefined}>
          <Loading label="Signing in…" />
        </Match>
        {/* Not keyed: a renewed token is a new user object, and must not rebuild the pages. */}
        <Match when={auth.user()}>
          <SignedIn config={props.config} />
        </Match>
      </Switch>
    </AuthProvider>
  );
}

/** One API client per signed-in session; signing out drops it and its WebSocket. */
function SignedIn(props: { config: RuntimeConfig }) {
  const auth = useAuth();
  const api = createApiClient(props.config, auth);
  onCleanup(() => api.dispose());
  // A renewed token: subscriptions move to a connection made with it, before the old one expires.
  createEffect(on(auth.accessToken, () => api.reconnect(), { defer: true }));
  return (
    <UrqlProvider value={api.client}>
      <Router root={Layout}>
        <Route path="/" component={CatalogPage} />
        <Route path="/catalog/:id" component={NewServicePage} />
        <Route path="/services" component={ServicesPage} />
        <Route path="/services/:id" component={ServicePage} />
        <Route path="/services/:id/edit" component={EditServicePage} />
        <Route path="/jobs" component={JobsPage} />
        <Route path="/jobs/:id" component={JobPage} />
        <Route path="/networks" component={NetworksPage} />
        <Route path="/networks/:provider/:name" component={NetworkPage} />
        <Route path="*" component={NotFoundPage} />
      </Router>
    </UrqlProvider>
  );
}
