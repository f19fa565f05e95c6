import {
  type CryptoKey,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';

export interface CraftTokenOptions {
  /** The payload, exactly as given: no claim is added. */
  claims: JWTPayload;
  /**
   * The JWS algorithm; `'none'` makes an unsecured token.
   * @default 'RS256'
   */
  alg?: string;
  /**
   * The signing key (a private JWK, a key object or, for HS*, the secret bytes).
   * @default a key generated for this call, which no provider publishes
   */
  key?: JWK | CryptoKey | Uint8Array;
  /** Extra protected header parameters (`kid`, `typ`...). */
  header?: Partial<JWTHeaderParameters>;
}

/**
 * Makes a token the SpawnIt API must refuse: expired, for another audience, from another issuer,
 * unsigned (`alg: 'none'`), signed by an unknown key or with a confused algorithm. For negative tests
 * only: tokens the API should accept come from the provider through `fetchAccessToken`.
 */
export async function craftToken({
  claims,
  alg = 'RS256',
  key,
  header = {},
}: CraftTokenOptions): Promise<string> {
  if (alg === 'none') return new UnsecuredJWT(claims).encode();
  const signingKey =
    key === undefined
      ? (await generateKeyPair(alg)).privateKey
      : key instanceof Uint8Array || !('kty' in key)
        ? key
        : await importJWK(key, alg);
  return new SignJWT(claims).setProtectedHeader({ typ: 'at+jwt', ...header, alg }).sign(signingKey);
}
