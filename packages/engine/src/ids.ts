import { InvalidIdError } from './errors.js';

// Ids end up in S3 keys, directory names and Docker/AWS resource names: a strict charset keeps every one of
// them inside its prefix, whatever a token or a form sends.
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/;
const SLUG = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;

/** The owner of services: the OIDC subject. Letters, digits, `_ . @ -`, starting with a letter or digit. */
export function assertClientId(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !CLIENT_ID.test(value) || value.includes('..')) {
    throw new InvalidIdError(
      'clientId',
      `clientId ${JSON.stringify(value)} is not valid: use 1-128 letters, digits, "_", ".", "@" or "-", starting with a letter or digit, and no "..".`,
    );
  }
}

function assertSlug(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || !SLUG.test(value) || value.includes('--')) {
    throw new InvalidIdError(
      field,
      `${field} ${JSON.stringify(value)} is not valid: use 2-40 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (e.g. "my-db").`,
    );
  }
}

/** A service id, chosen by the user: it names containers and instances. */
export function assertServiceId(value: unknown): asserts value is string {
  assertSlug('serviceId', value);
}

/** A network name, chosen by the user; two services of one client on the same name share the network. */
export function assertNetworkName(value: unknown): asserts value is string {
  assertSlug('networkName', value);
}

export function assertTemplateId(value: unknown): asserts value is string {
  assertSlug('templateId', value);
}

export const PROVIDERS = ['local', 'aws'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export function assertProvider(value: unknown): asserts value is ProviderName {
  if (!PROVIDERS.includes(value as ProviderName)) {
    throw new InvalidIdError(
      'provider',
      `provider ${JSON.stringify(value)} is not valid: use "local" or "aws".`,
    );
  }
}
