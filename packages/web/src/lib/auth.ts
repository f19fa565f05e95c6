import { ErrorResponse, type User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
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
  /** The access token has expired (or there is none). */
  isExpired(): boolean;
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

// Set before leaving for the provider's sign-out, read once back: this tab's storage survives the round trip.
const SIGNED_OUT_KEY = 'spawnit.signed-out';
// On the way out: the sign-in page shows before the browser leaves, and must not take the mark yet.
let leaving = false;

/** Whether this tab just came back from signing out (once: the mark is removed). */
export function takeSignedOut(): boolean {
  if (leaving) return false;
  const signedOut = window.sessionStorage.getItem(SIGNED_OUT_KEY) !== null;
  window.sessionStorage.removeItem(SIGNED_OUT_KEY);
  return signedOut;
}

/** Only a path of this site (not `//other.host`): the state comes back through the browser. */
const safeReturnPath = (value: unknown) =>
  typeof value === 'string' && /^\/(?!\/)/.test(value) && !value.startsWith(CALLBACK_PATH) ? value : '/';

/**
 * Sign-in with the authorization code flow and PKCE (oidc-client-ts), as a public client. Tokens stay in
 * this tab's sessionStorage: closing the tab signs out, and no other site can read them. When the page is
 * the redirect back from the provider, the code is exchanged first and the address bar restored.
 *
 * When the provider gives a refresh token (Keycloak does), the access token is renewed with it before it
 * expires, so a session lasts as long as the provider's; when the provider refuses (the session was ended
 * there, or timed out), the user is signed out here with a notice. Without a refresh token, the session
 * ends with the access token.
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
    // Renewal is scheduled below, with refresh tokens only: an iframe would need the provider in the CSP.
    automaticSilentRenew: false,
    monitorSession: false,
    loadUserInfo: false,
  });
  const [user, setUser] = createSignal<User | null | undefined>(undefined);
  const [notice, setNotice] = createSignal<string>();

  let renewal: ReturnType<typeof setTimeout> | undefined;
  const forget = (message: string) => {
    clearTimeout(renewal);
    void manager.removeUser();
    setNotice(message);
    setUser(null);
  };
  /** Renews with the refresh token; signs out when the provider refuses. */
  const renew = async (): Promise<void> => {
    clearTimeout(renewal);
    try {
      // Uses the stored refresh token (never an iframe: the user has one, checked by the callers).
      const renewed = await manager.signinSilent();
      if (renewed) accept(renewed);
      else forget('Your session has expired. Sign in again to go on.');
    } catch (error) {
      if (error instanceof ErrorResponse) {
        forget('Your session was ended at the sign-in service. Sign in again to go on.');
      } else if (!user() || user()?.expired) {
        forget(`Your session has expired and cannot be renewed: ${(error as Error).message}. Sign in again.`);
      } else {
        // The provider is unreachable for now: try again while the token is still valid.
        renewal = setTimeout(() => void renew(), 10_000);
      }
    }
  };
  /** Takes a signed-in user and plans its renewal. */
  const accept = (current: User) => {
    setUser(current);
    clearTimeout(renewal);
    if (!current.refresh_token || current.expires_in === undefined) return;
    // A minute early, or a quarter of a short lifetime early: never a loop of renewals.
    const lead = Math.min(60, current.expires_in / 4);
    renewal = setTimeout(() => void renew(), Math.max(0, current.expires_in - lead) * 1000);
  };
  manager.events.addAccessTokenExpired(() => {
    // A timer that slept through the renewal (a background tab) still renews; otherwise the session ends.
    if (user()?.refresh_token) void renew();
    else forget('Your session has expired. Sign in again to go on.');
  });

  void (async () => {
    try {
      if (window.location.pathname === CALLBACK_PATH) {
        const signedIn = await manager.signinRedirectCallback();
        window.history.replaceState(null, '', safeReturnPath(signedIn.state));
        accept(signedIn);
        return;
      }
      const saved = await manager.getUser();
      if (saved && !saved.expired) accept(saved);
      else if (saved?.refresh_token) await renew();
      else setUser(null);
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
    isExpired: () => user()?.expired !== false,
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
      clearTimeout(renewal);
      leaving = true;
      window.sessionStorage.setItem(SIGNED_OUT_KEY, '1');
      await manager.removeUser();
      setUser(null);
      try {
        await manager.signoutRedirect(current?.id_token ? { id_token_hint: current.id_token } : {});
      } catch {
        leaving = false;
        window.sessionStorage.removeItem(SIGNED_OUT_KEY);
        // A provider without an end-session endpoint: the local sign-out is all there is.
        setNotice('You are signed out of SpawnIt.');
      }
    },
    expire: forget,
  };
}
