import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expressionOf, type HclBody, type HclValue, type TfModule } from './hcl.js';
import { bootstrapDir, loadCached, modulesDir } from './repo.js';

// The Keycloak tests import tests/fixtures/keycloak/spawnit-realm.json because the keycloak provider cannot
// be built here; this keeps that file the realm the bootstrap's idp modules make, setting by setting.

const fixture = JSON.parse(
  readFileSync(path.join(bootstrapDir, '../tests/fixtures/keycloak/spawnit-realm.json'), 'utf8'),
) as {
  realm: string;
  roles: { realm: { name: string }[] };
  clients: {
    clientId: string;
    attributes: Record<string, string>;
    protocolMappers: { name: string; protocolMapper: string; config: Record<string, string> }[];
    [key: string]: unknown;
  }[];
  users: { username: string; email: string; firstName: string; realmRoles: string[] }[];
  [key: string]: unknown;
};
const json = (file: string) => JSON.parse(readFileSync(path.join(bootstrapDir, file), 'utf8'));
const instances = json('instances/instances.auto.tfvars.json') as {
  oidc: Record<string, string>;
  default_users: Record<string, { email: string; first_name?: string; admin?: boolean }>;
};

/** A resource argument's value: a literal, or the default of the variable it names. */
function argumentValue(m: TfModule, body: HclBody, name: string): HclValue | undefined {
  const expression = expressionOf(body[name]);
  const variable = expression?.match(/^var\.(\w+)$/)?.[1];
  return variable === undefined ? body[name] : m.variables[variable]?.body.default;
}

const resource = (m: TfModule, type: string) => {
  const found = m.resources.find((r) => r.type === type);
  if (!found) throw new Error(`${m.dir} has no ${type}`);
  return found.body;
};

describe('the realm fixture is the bootstrap’s realm', () => {
  it('realm: name, login settings, password policy, token lifespan, brute-force protection, admin role', async () => {
    const m = await loadCached(path.join(modulesDir, 'common/configs/idp/realm'));
    const realm = resource(m, 'keycloak_realm');
    expect(fixture.realm).toBe(instances.oidc.realm);
    expect(fixture).toMatchObject({
      registrationAllowed: argumentValue(m, realm, 'registration_allowed'),
      loginWithEmailAllowed: realm.login_with_email_allowed,
      resetPasswordAllowed: realm.reset_password_allowed,
      rememberMe: realm.remember_me,
      sslRequired: argumentValue(m, realm, 'ssl_required'),
      passwordPolicy: argumentValue(m, realm, 'password_policy'),
    });
    const lifespan = String(argumentValue(m, realm, 'access_token_lifespan'));
    expect(lifespan).toMatch(/^\d+m$/);
    expect(fixture.accessTokenLifespan).toBe(Number.parseInt(lifespan, 10) * 60);
    const defenses = JSON.stringify(realm.security_defenses);
    for (const [setting, key] of [
      ['max_login_failures', 'failureFactor'],
      ['wait_increment_seconds', 'waitIncrementSeconds'],
      ['max_failure_wait_seconds', 'maxFailureWaitSeconds'],
      ['failure_reset_time_seconds', 'maxDeltaTimeSeconds'],
    ] as const) {
      expect(defenses, setting).toContain(`"${setting}":${fixture[key]}`);
    }
    expect(fixture.roles.realm.map((r) => r.name)).toEqual([m.variables.admin_role?.body.default]);
  });

  it('client: public, code flow only, PKCE S256, the API audience mapper on access tokens', async () => {
    const m = await loadCached(path.join(modulesDir, 'common/configs/idp/client'));
    const client = resource(m, 'keycloak_openid_client');
    const web = fixture.clients.find((c) => c.clientId === instances.oidc.web_client);
    expect(web, `a client ${instances.oidc.web_client}`).toBeDefined();
    expect(client.access_type).toBe('PUBLIC');
    expect(web).toMatchObject({
      publicClient: true,
      standardFlowEnabled: client.standard_flow_enabled,
      implicitFlowEnabled: client.implicit_flow_enabled,
      directAccessGrantsEnabled: client.direct_access_grants_enabled,
      serviceAccountsEnabled: client.service_accounts_enabled,
    });
    expect(web?.attributes['pkce.code.challenge.method']).toBe(client.pkce_code_challenge_method);
    const mapper = resource(m, 'keycloak_openid_audience_protocol_mapper');
    expect(web?.protocolMappers).toEqual([
      {
        name: mapper.name,
        protocol: 'openid-connect',
        protocolMapper: 'oidc-audience-mapper',
        config: {
          'included.custom.audience': instances.oidc.api_audience,
          'access.token.claim': String(mapper.add_to_access_token),
          'id.token.claim': String(mapper.add_to_id_token),
          'introspection.token.claim': 'true',
        },
      },
    ]);
  });

  it('users: every default user, with the admin role where the bootstrap gives it', () => {
    const role = fixture.roles.realm[0]?.name;
    for (const [username, user] of Object.entries(instances.default_users)) {
      const found = fixture.users.find((u) => u.username === username);
      expect(found, username).toMatchObject({ email: user.email, firstName: user.first_name });
      expect(found?.realmRoles.includes(role ?? ''), username).toBe(user.admin === true);
    }
  });
});
