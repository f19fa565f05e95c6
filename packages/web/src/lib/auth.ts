import { type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { type Accessor, createContext, createSignal, useContext } from 'solid-js';
import type { RuntimeConfig } from './runtime-config';

/** The signed-in user, and the ways in and out. */
export interface Auth {
  /** `undefined` while the saved session or the sign-in callback is being read; `null` when signed out. */
  user: Accessor<User | null | undefined>;
  /** Why the user is signed out, when it was not their doing (expired session, failed sign-in). */
  notice: Accessor<string | undefined>;
  /** The bearer token for the API. */
  accessToken(): string | undefined;
  /** Goes to the provider's sign-in page; comes back to `returnTo`. */
  signIn(returnTo?: string): Promise<void>;
  /** Forgets the tokens here, then ends the provider's session. */
  signOut(): Promise<void>;
  /** The API refused the token: forget it and say why. */
  expire(message: string): void;
}

const AuthContext = createContext<Auth>();
export const AuthProvider = AuthContext.Provider;

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth() needs an <AuthProvider> above it.');
  return auth;
}

export const CALLBACK_PATH = '/callback';

/** Only a path of this site (not `//other.host`): the state comes back through the browser. */
const safeReturnPath = (value: unknown) =>
  typeof value === 'string' && /^\/(?!\/)/.test(value) && !value.startsWith(CALLBACK_PATH) ? value : '/';

/**
 * Sign-in with the authorization code flow and PKCE (oidc-client-ts), as a public client. Tokens stay in
 * this tab's sessionStorage: closing the tab signs out, and no other site can read them. When the page is
 * the redirect back from the provider, the code is exchanged first and the address bar restored.
 */
export function createAuth(config: RuntimeConfig): Auth {
  const origin = window.location.origin;
  const storage = new WebStorageStateStore({ store: window.sessionStorage });
  const manager = new UserManager({
    authority: config.oidc.issuer,
    client_id: config.oidc.clientId,
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: 'code',
    scope: 'openid profile',
    userStore: storage,
    stateStore: storage,
    // No silent renew: it needs an iframe or a refresh token; an expired session signs in again.
    automaticSilentRenew: false,
    monitorSession: false,
    loadUserInfo: false,
  });
  const [user, setUser] = createSignal<User | null | undefined>(undefined);
  const [notice, setNotice] = createSignal<string>();

  const forget = (message: string) => {
    void manager.removeUser();
    setNotice(message);
    setUser(null);
  };
  manager.events.addAccessTokenExpired(() => forget('Your session has expired. Sign in again to go on.'));

  void (async () => {
    try {
      if (window.location.pathname === CALLBACK_PATH) {
        const signedIn = await manager.signinRedirectCallback();
        window.history.replaceState(null, '', safeReturnPath(signedIn.state));
        setUser(signedIn);
        return;
      }
      const saved = await manager.getUser();
      setUser(saved && !saved.expired ? saved : null);
    } catch (error) {
      window.history.replaceState(null, '', '/');
      setNotice(`Sign-in failed: ${(error as Error).message}`);
      setUser(null);
    }
  })();

  return {
    user,
    notice,
    accessToken: () => user()?.access_token,
    async signIn(returnTo) {
      setNotice(undefined);
      try {
        await manager.signinRedirect({ state: safeReturnPath(returnTo) });
      } catch (error) {
        setNotice(`Cannot reach the sign-in service at ${config.oidc.issuer}: ${(error as Error).message}`);
      }
    },
    async signOut() {
      const current = user();
      await manager.removeUser();
      setUser(null);
      try {
        await manager.signoutRedirect(current?.id_token ? { id_token_hint: current.id_token } : {});
      } catch {
        // A provider without an end-session endpoint: the local sign-out is all there is.
        setNotice('You are signed out of SpawnIt.');
      }
    },
    expire: forget,
  };
}
