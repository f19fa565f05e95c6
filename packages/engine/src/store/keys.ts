import {
  assertClientId,
  assertNetworkName,
  assertProvider,
  assertServiceId,
  type ProviderName,
} from '../ids.js';

/**
 * The S3 key layout. Everything a client owns sits under `clients/<clientId>/`; the seed kept services right
 * under it, we add `services/` and `networks/` so a service id can never collide with a network.
 *
 * ```
 * clients/<clientId>/services/<serviceId>/terraform.tfvars.json   the configuration (context + params)
 * clients/<clientId>/services/<serviceId>/terraform.tfstate        the state (written by tofu's S3 backend)
 * clients/<clientId>/services/<serviceId>/plans/<planId>.tfplan    saved plans, applied exactly as shown
 * clients/<clientId>/networks/<provider>/<network>/...             the same, for a network
 * ```
 */
export const CLIENTS_PREFIX = 'clients/';

export type TargetRef =
  | { kind: 'service'; clientId: string; serviceId: string }
  | { kind: 'network'; clientId: string; provider: ProviderName; networkName: string };

/** Validates every id of a target: nothing from a request reaches a key or a path unchecked. */
export function assertTargetRef(ref: TargetRef): void {
  assertClientId(ref.clientId);
  if (ref.kind === 'service') assertServiceId(ref.serviceId);
  else {
    assertProvider(ref.provider);
    assertNetworkName(ref.networkName);
  }
}

export function clientPrefix(clientId: string): string {
  assertClientId(clientId);
  return `${CLIENTS_PREFIX}${clientId}/`;
}

export function targetPrefix(ref: TargetRef): string {
  assertTargetRef(ref);
  return ref.kind === 'service'
    ? `${clientPrefix(ref.clientId)}services/${ref.serviceId}/`
    : `${clientPrefix(ref.clientId)}networks/${ref.provider}/${ref.networkName}/`;
}

export const tfvarsKey = (ref: TargetRef) => `${targetPrefix(ref)}terraform.tfvars.json`;
export const stateKey = (ref: TargetRef) => `${targetPrefix(ref)}terraform.tfstate`;
export const planKey = (ref: TargetRef, planId: string) => `${targetPrefix(ref)}plans/${planId}.tfplan`;

/** A short human name for messages: `service "db" of client "alice"`. */
export function describeTarget(ref: TargetRef): string {
  return ref.kind === 'service'
    ? `service "${ref.serviceId}"`
    : `network "${ref.networkName}" (${ref.provider})`;
}

/** The key a target's lock, queue and caches go by: opaque to callers. */
export function targetKeyOf(ref: TargetRef): string {
  return targetPrefix(ref);
}

const CONFIG_OR_SAVED_PLAN = new RegExp(
  `^${CLIENTS_PREFIX}[^/]+/(services/[^/]+|networks/[^/]+/[^/]+)/(terraform\\.tfvars\\.json|plans/[0-9a-f-]{36}\\.(tfplan|json))$`,
);

/** A target's configuration, or a saved plan's file or record: objects only SpawnIt itself writes. */
export const isConfigOrSavedPlan = (key: string): boolean => CONFIG_OR_SAVED_PLAN.test(key);
