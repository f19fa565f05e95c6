import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi, USERS } from '../support/api.js';
import { API_AUDIENCE, type Keycloak, ROLES_CLAIM, startKeycloak } from '../support/keycloak.js';

// The API against Keycloak's own tokens: the realm the bootstrap makes (tests/fixtures/keycloak), the
// issuer, the audience its mapper adds and the admin role read from `realm_access.roles`.

let keycloak: Keycloak;
let api: ApiHarness;

beforeAll(async () => {
  keycloak = await startKeycloak();
  api = await startApi({
    verifier: { issuer: keycloak.issuer, audience: API_AUDIENCE, rolesClaim: ROLES_CLAIM },
  });
}, 300_000);

afterAll(async () => {
  await api?.close();
  await keycloak?.stop();
});

const ME = '{ me { clientId username roles isAdmin } }';
type Me = { me: { clientId: string; username: string; roles: string[]; isAdmin: boolean } | null };

describe('the API verifies Keycloak’s tokens', () => {
  it('takes alice’s token: she is herself, not an admin', async () => {
    const { accessToken } = await keycloak.passwordGrant('alice', USERS.alice);
    const claims = decodeJwt(accessToken);
    expect(claims.iss).toBe(keycloak.issuer);
    expect([claims.aud].flat()).toContain(API_AUDIENCE);
    const { status, body } = await api.gql<Me>(accessToken, ME, undefined, 'http');
    expect(status).toBe(200);
    expect(body.data?.me).toMatchObject({ clientId: claims.sub, username: 'alice', isAdmin: false });
  });

  it('takes admin’s token: the realm role spawnit-admin makes an admin', async () => {
    const { accessToken } = await keycloak.passwordGrant('admin', USERS.admin.password);
    const { body } = await api.gql<Me>(accessToken, ME);
    expect(body.data?.me?.username).toBe('admin');
    expect(body.data?.me?.roles).toContain('spawnit-admin');
    expect(body.data?.me?.isAdmin).toBe(true);
  });

  it('lists alice’s own services with her token', async () => {
    const { accessToken } = await keycloak.passwordGrant('alice', USERS.alice);
    const { body } = await api.gql<{ services: unknown[] }>(accessToken, '{ services { id } }');
    expect(body.errors).toBeUndefined();
    expect(body.data?.services).toEqual([]);
  });

  it('refuses a token Keycloak made for another audience', async () => {
    const { accessToken } = await keycloak.passwordGrant('alice', USERS.alice, 'otherAudience');
    expect([decodeJwt(accessToken).aud].flat()).not.toContain(API_AUDIENCE);
    const { status, body } = await api.gql<Me>(accessToken, ME, undefined, 'http');
    expect(status).toBe(401);
    expect(body.errors?.[0]?.message).toBe('The token\'s "aud" claim is not accepted.');
  });

  it('refuses Keycloak’s refresh token in place of an access token', async () => {
    const { refreshToken } = await keycloak.passwordGrant('alice', USERS.alice);
    const { status } = await api.gql<Me>(refreshToken, ME);
    expect(status).toBe(401);
  });
});
