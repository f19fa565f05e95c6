import { createHash, randomBytes } from 'node:crypto';
import { CLI_CLIENT_ID, CLI_REDIRECT_URI } from './clients.js';

export interface FetchAccessTokenOptions {
  /** The provider's issuer URL; its discovery document gives the endpoints. */
  issuer: string;
  username: string;
  password: string;
  /**
   * A public client registered for the authorization code flow with PKCE.
   * @default 'spawnit-cli'
   */
  clientId?: string;
  /**
   * A redirect URI registered for `clientId`; never listened on, the code is read from the redirect.
   * @default 'http://127.0.0.1/callback'
   */
  redirectUri?: string;
  /**
   * The resource indicator (RFC 8707) to get the access token for, sent to both endpoints.
   * @default the provider's default resource
   */
  resource?: string;
  /**
   * @default 'openid'
   */
  scope?: string;
}

export interface TokenSet {
  accessToken: string;
  tokenType: string;
  /** Seconds, as the token endpoint said. */
  expiresIn: number;
  idToken?: string;
  /** Given to clients allowed the refresh_token grant (the web UI's). */
  refreshToken?: string;
  scope?: string;
}

/** Why signing in failed; `isInvalidCredentials` when the provider refused the username or password. */
export class SignInError extends Error {
  readonly isInvalidCredentials: boolean;

  constructor(message: string, options: { isInvalidCredentials?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'SignInError';
    this.isInvalidCredentials = options.isInvalidCredentials ?? false;
  }
}

const MAX_HOPS = 12;

/**
 * Gets tokens for a user the way a browser would, over HTTP: the authorization request with PKCE,
 * the provider's sign-in form posted with the username and password, the redirects followed to the
 * client's redirect URI, and the code exchanged at the token endpoint. No shortcut, so what it returns
 * is exactly what a signed-in user gets.
 */
export async function fetchAccessToken(options: FetchAccessTokenOptions): Promise<TokenSet> {
  const clientId = options.clientId ?? CLI_CLIENT_ID;
  const redirectUri = options.redirectUri ?? CLI_REDIRECT_URI;
  const metadata = await discover(options.issuer);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');

  const authorization = new URL(metadata.authorization_endpoint);
  authorization.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: options.scope ?? 'openid',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(options.resource ? { resource: options.resource } : {}),
  }).toString();

  const callback = await signIn(authorization, redirectUri, options);
  const error = callback.searchParams.get('error');
  if (error) {
    const description = callback.searchParams.get('error_description');
    throw new SignInError(
      `The provider refused the authorization: ${error}${description ? ` (${description})` : ''}`,
    );
  }
  if (callback.searchParams.get('state') !== state)
    throw new SignInError('The authorization response has a wrong state.');
  const iss = callback.searchParams.get('iss');
  if (iss !== null && iss !== metadata.issuer) {
    throw new SignInError(
      `The authorization response comes from issuer ${iss}, expected ${metadata.issuer}.`,
    );
  }
  const code = callback.searchParams.get('code');
  if (!code) throw new SignInError('The authorization response has no code.');

  const response = await fetch(metadata.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: clientId,
      code_verifier: verifier,
      ...(options.resource ? { resource: options.resource } : {}),
    }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    throw new SignInError(
      `The token endpoint refused the code (${response.status}): ${String(body.error ?? '')} ${String(body.error_description ?? '')}`.trim(),
    );
  }
  return {
    accessToken: body.access_token,
    tokenType: String(body.token_type),
    expiresIn: Number(body.expires_in),
    ...(typeof body.id_token === 'string' ? { idToken: body.id_token } : {}),
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
    ...(typeof body.scope === 'string' ? { scope: body.scope } : {}),
  };
}

async function discover(issuer: string): Promise<{
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (cause) {
    throw new SignInError(`Cannot reach the OpenID provider at ${issuer}: is it running?`, { cause });
  }
  if (!response.ok)
    throw new SignInError(`${url} answered ${response.status}; is ${issuer} an OpenID provider?`);
  const metadata = (await response.json()) as {
    issuer: string;
    authorization_endpoint: string;
    token_endpoint: string;
  };
  if (metadata.issuer !== issuer.replace(/\/$/, '')) {
    throw new SignInError(`${url} describes issuer ${metadata.issuer}, not ${issuer}.`);
  }
  return metadata;
}

/** Follows the authorization request through the sign-in form to the redirect back to the client. */
async function signIn(start: URL, redirectUri: string, options: FetchAccessTokenOptions): Promise<URL> {
  const cookies = createCookieJar();
  const redirectTarget = withoutQuery(new URL(redirectUri));
  let request: { url: URL; init?: RequestInit } = { url: start };
  let posted = false;

  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const response = await fetch(request.url, {
      ...request.init,
      redirect: 'manual',
      headers: { ...(request.init?.headers as Record<string, string>), cookie: cookies.header(request.url) },
    });
    cookies.store(request.url, response.headers.getSetCookie());
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, request.url);
      if (withoutQuery(next) === redirectTarget) return next;
      request = { url: next };
      continue;
    }
    const page = await response.text();
    if (response.status === 401 && posted) {
      throw new SignInError(`Sign-in refused for "${options.username}": invalid username or password.`, {
        isInvalidCredentials: true,
      });
    }
    const action = /<form[^>]*\baction="([^"]+)"/i.exec(page)?.[1];
    if (response.ok && action && !posted && /name="password"/.test(page)) {
      posted = true;
      request = {
        url: new URL(action.replace(/&amp;/g, '&'), request.url),
        init: {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ username: options.username, password: options.password }).toString(),
        },
      };
      continue;
    }
    throw new SignInError(
      `Unexpected answer from ${request.url.origin}${request.url.pathname} (${response.status}): ${textOf(page)}`,
    );
  }
  throw new SignInError(`The sign-in did not reach ${redirectUri} after ${MAX_HOPS} redirects.`);
}

function withoutQuery(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function textOf(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** Just enough of a cookie jar for one host: names, paths, deletion. */
function createCookieJar() {
  const jar = new Map<string, { name: string; value: string; path: string }>();
  return {
    store(url: URL, setCookies: string[]) {
      for (const line of setCookies) {
        const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
        const equals = pair.indexOf('=');
        const name = pair.slice(0, equals);
        const value = pair.slice(equals + 1);
        let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
        let expired = value === '';
        for (const attribute of attributes) {
          const [key = '', attributeValue = ''] = attribute.split('=');
          if (key.toLowerCase() === 'path') path = attributeValue;
          if (key.toLowerCase() === 'expires' && Date.parse(attributeValue) <= Date.now()) expired = true;
          if (key.toLowerCase() === 'max-age' && Number(attributeValue) <= 0) expired = true;
        }
        if (expired) jar.delete(`${name};${path}`);
        else jar.set(`${name};${path}`, { name, value, path });
      }
    },
    header(url: URL): string {
      return [...jar.values()]
        .filter(
          ({ path }) =>
            url.pathname === path || url.pathname.startsWith(path.endsWith('/') ? path : `${path}/`),
        )
        .map(({ name, value }) => `${name}=${value}`)
        .join('; ');
    },
  };
}
