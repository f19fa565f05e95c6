import { assertClientId } from '@spawnit/engine';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

export interface TokenVerifierOptions {
  /** The OIDC issuer URL; tokens must carry exactly this `iss`. */
  issuer: string;
  /** The `aud` tokens must carry. @default 'spawnit-api' */
  audience?: string;
  /**
   * Where the signing keys are. Set it when the API reaches the provider by another address than the public
   * issuer (e.g. inside a Docker network).
   * @default the `jwks_uri` of `<issuer>/.well-known/openid-configuration`
   */
  jwksUrl?: string;
  /**
   * Accepted signature algorithms. `none` and the HMAC ones are never accepted: a shared secret would let
   * anyone holding it mint tokens.
   * @default ['RS256', 'ES256', 'PS256', 'EdDSA']
   */
  algorithms?: string[];
  /**
   * The claim listing the user's roles; a dotted path reaches nested claims (Keycloak: `realm_access.roles`).
   * @default 'roles'
   */
  rolesClaim?: string;
  /** The role that lets a user see every client's services. @default 'spawnit-admin' */
  adminRole?: string;
  /** Seconds of clock skew accepted on `exp`, `iat` and `nbf`. @default 0 */
  clockToleranceSeconds?: number;
  /**
   * After fetching the keys, how long a token signed by an unknown key is refused before the keys are
   * fetched again (a rotation is picked up after at most this long; a flood of forged `kid`s cannot make
   * the API hammer the provider).
   * @default 30_000
   */
  jwksCooldownMs?: number;
}

/** The caller, as the verified token says. */
export interface Viewer {
  /** The token's `sub`: the tenant every engine call is scoped to. */
  clientId: string;
  username: string | undefined;
  roles: string[];
  isAdmin: boolean;
  expiresAt: Date;
}

export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'AUTH_UNAVAILABLE';

/** Why a request was refused; `status` is the HTTP status to answer with. */
export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly status: 401 | 403 | 503;
  constructor(code: AuthErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
    this.status = code === 'UNAUTHENTICATED' ? 401 : code === 'FORBIDDEN' ? 403 : 503;
  }
}

export interface TokenVerifier {
  readonly issuer: string;
  readonly audience: string;
  /** Verifies `Bearer <jwt>` (an `Authorization` header or a graphql-ws connection parameter). */
  verify(authorization: unknown): Promise<Viewer>;
}

export const DEFAULT_ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA'];
const FORBIDDEN_ALGORITHMS = /^(none|HS\d+)$/i;

function claimAt(payload: JWTPayload, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => {
    return value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }, payload);
}

function rolesOf(payload: JWTPayload, claim: string): string[] {
  const value = claimAt(payload, claim);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  // Some providers send a space-separated string, like `scope`.
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  return [];
}

/** Maps jose's failures to a message that says what is wrong with the token, and nothing more. */
function describeFailure(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof errors.JWTExpired) return new AuthError('UNAUTHENTICATED', 'The token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new AuthError('UNAUTHENTICATED', `The token's "${error.claim}" claim is not accepted.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new AuthError('UNAUTHENTICATED', 'The token is signed with an algorithm that is not accepted.');
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthError('UNAUTHENTICATED', 'The token is not signed by a key of the issuer.');
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new AuthError('AUTH_UNAVAILABLE', 'The identity provider did not answer; try again.', {
      cause: error,
    });
  }
  if (error instanceof errors.JOSEError) return new AuthError('UNAUTHENTICATED', 'The token is not valid.');
  // A network failure while fetching keys.
  return new AuthError('AUTH_UNAVAILABLE', 'The identity provider cannot be reached; try again.', {
    cause: error,
  });
}

/**
 * Verifies OIDC access tokens with jose: signature by a key of the issuer's JWKS (fetched on first use and
 * again when a token names an unknown key, so rotation is picked up), `iss`, `aud`, `exp`, an algorithm
 * allow-list, and a `sub` usable as a client id.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const issuer = options.issuer;
  const audience = options.audience ?? 'spawnit-api';
  const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  const refused = algorithms.filter((alg) => FORBIDDEN_ALGORITHMS.test(alg));
  if (refused.length > 0) {
    throw new TypeError(`Token algorithms ${refused.join(', ')} are not allowed: use asymmetric ones.`);
  }
  const rolesClaim = options.rolesClaim ?? 'roles';
  const adminRole = options.adminRole ?? 'spawnit-admin';
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  async function discoverKeys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const remote = (url: string) =>
      createRemoteJWKSet(new URL(url), {
        cooldownDuration: options.jwksCooldownMs ?? 30_000,
        timeoutDuration: 5_000,
      });
    if (options.jwksUrl) return remote(options.jwksUrl);
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    if (document.issuer !== issuer) {
      throw new Error(`${url} names the issuer ${JSON.stringify(document.issuer)}, not "${issuer}"`);
    }
    if (typeof document.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
    return remote(document.jwks_uri);
  }

  function jwks(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    keys ??= discoverKeys().catch((error: unknown) => {
      // Not cached: the next request tries the provider again.
      keys = undefined;
      throw new AuthError('AUTH_UNAVAILABLE', 'The identity provider cannot be reached; try again.', {
        cause: error,
      });
    });
    return keys;
  }

  return {
    issuer,
    audience,
    async verify(authorization) {
      if (typeof authorization !== 'string' || authorization.trim() === '') {
        throw new AuthError('UNAUTHENTICATED', 'Sign in: send "Authorization: Bearer <access token>".');
      }
      const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(authorization.trim());
      if (!match) {
        throw new AuthError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <access token>".');
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(match[1]!, await jwks(), {
          issuer,
          audience,
          algorithms,
          requiredClaims: ['sub', 'exp'],
          clockTolerance: options.clockToleranceSeconds ?? 0,
        }));
      } catch (error) {
        throw describeFailure(error);
      }
      const clientId = payload.sub;
      try {
        assertClientId(clientId);
      } catch {
        throw new AuthError('FORBIDDEN', 'The token subject cannot be used as a SpawnIt client id.');
      }
      const roles = rolesOf(payload, rolesClaim);
      const username = payload.preferred_username;
      return {
        clientId,
        username: typeof username === 'string' ? username : undefined,
        roles,
        isAdmin: roles.includes(adminRole),
        expiresAt: new Date((payload.exp ?? 0) * 1000),
      };
    },
  };
}
