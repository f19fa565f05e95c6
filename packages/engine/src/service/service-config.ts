import type { Catalog } from '../catalog/load-catalog.js';
import { type Params, validateParams } from '../catalog/validate-params.js';
import { buildTfvars, serializeTfvars, type TfVars } from '../config/tfvars.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { assertNetworkName, assertProvider, assertServiceId, type ProviderName } from '../ids.js';
import type { ConfigSealer } from '../secrets/config-sealer.js';
import { clientPrefix, type TargetRef, targetPrefix, tfvarsKey } from '../store/keys.js';
import { readState, type StateReaderDeps } from '../store/read-state.js';
import { isPreconditionFailed, type S3Store, type StoredObject } from '../store/s3-store.js';

/** A service's saved configuration, as rebuilt from S3. `params` holds secrets in clear: mask before showing. */
export interface ServiceConfig {
  clientId: string;
  serviceId: string;
  templateId: string;
  provider: ProviderName;
  networkName: string;
  params: Params;
  createdAt: string;
  updatedAt: string;
}

export interface CreateServiceInput {
  clientId: string;
  serviceId: string;
  templateId: string;
  provider: ProviderName;
  networkName: string;
  /** Form values; validated against the template. */
  params: unknown;
}

export interface ConfigDeps extends StateReaderDeps {
  store: S3Store;
  catalog: Catalog;
  /** Seals `terraform.tfvars.json` (it holds the secret parameters) and opens it. */
  sealer: ConfigSealer;
  /** The store refuses `If-None-Match: *` on an existing key, so a create can be made atomic. */
  conditionalWrites?: boolean;
}

function toConfig(tfvars: TfVars, createdAt: string, updatedAt: string): ServiceConfig {
  return {
    clientId: tfvars.context.client_id,
    serviceId: tfvars.context.service_id,
    templateId: tfvars.context.template_id,
    provider: tfvars.context.provider,
    networkName: tfvars.context.network_name,
    params: tfvars.params,
    createdAt,
    updatedAt,
  };
}

const serviceRef = (clientId: string, serviceId: string): TargetRef => ({
  kind: 'service',
  clientId,
  serviceId,
});

/** Checks the ids a user chose, reporting them as field errors like the parameters. */
function checkIds(deps: ConfigDeps, input: CreateServiceInput) {
  const errors: { field: string; rule: string; message: string }[] = [];
  const attempt = (field: string, check: () => void) => {
    try {
      check();
    } catch (error) {
      errors.push({ field, rule: 'format', message: (error as Error).message });
    }
  };
  attempt('serviceId', () => assertServiceId(input.serviceId));
  attempt('networkName', () => assertNetworkName(input.networkName));
  attempt('provider', () => assertProvider(input.provider));
  const template = deps.catalog.get(input.templateId);
  if (!template) {
    errors.push({
      field: 'templateId',
      rule: 'exists',
      message: `templateId "${String(input.templateId)}" is not in the catalog; choose one of ${deps.catalog.templates.map((t) => t.id).join(', ')}`,
    });
  } else if (errors.length === 0 && !template.modules[input.provider]) {
    errors.push({
      field: 'provider',
      rule: 'supported',
      message: `${template.name} cannot run on provider "${input.provider}"; it supports ${Object.keys(template.modules).join(', ')}`,
    });
  }
  if (errors.length > 0) throw new ValidationError(`Service "${String(input.serviceId)}"`, errors);
  return template!;
}

/**
 * Validates and saves a new service's configuration as `terraform.tfvars.json` in S3. Deploys nothing.
 */
export async function createService(deps: ConfigDeps, input: CreateServiceInput): Promise<ServiceConfig> {
  const ref = serviceRef(input.clientId, input.serviceId);
  clientPrefix(input.clientId);
  const template = checkIds(deps, input);
  const params = validateParams(template, input.params, { provider: input.provider });
  if (await deps.store.get(tfvarsKey(ref))) {
    throw new ConflictError(`Service "${input.serviceId}" already exists; choose another id or update it.`);
  }
  const now = new Date().toISOString();
  const tfvars = buildTfvars({ ...input, params });
  try {
    await deps.store.put(tfvarsKey(ref), deps.sealer.seal(tfvarsKey(ref), serializeTfvars(tfvars)), {
      contentType: 'application/json',
      metadata: { 'created-at': now, 'updated-at': now },
      // Two creates of one id at once: only the first write wins where the store can tell.
      ifNoneMatch: deps.conditionalWrites ?? false,
    });
  } catch (error) {
    if (isPreconditionFailed(error)) {
      throw new ConflictError(`Service "${input.serviceId}" already exists; choose another id or update it.`);
    }
    throw error;
  }
  return toConfig(tfvars, now, now);
}

/**
 * When a configuration was written, to the millisecond, as its writer said (`updated-at`): an object's
 * modification time is to the second, from the file system's coarse clock, and can fall a second before it.
 * Written before that metadata existed: the modification time.
 */
export function writtenAt(object: Pick<StoredObject, 'metadata' | 'lastModified'>): string {
  const stamped = Date.parse(object.metadata['updated-at'] ?? '');
  return (Number.isNaN(stamped) ? (object.lastModified ?? new Date()) : new Date(stamped)).toISOString();
}

export async function getService(
  deps: ConfigDeps,
  clientId: string,
  serviceId: string,
): Promise<ServiceConfig | undefined> {
  const key = tfvarsKey(serviceRef(clientId, serviceId));
  const object = await deps.store.get(key);
  if (!object) return undefined;
  const tfvars = JSON.parse(deps.sealer.open(key, object.body).toString('utf8')) as TfVars;
  const updatedAt = writtenAt(object);
  return toConfig(tfvars, object.metadata['created-at'] ?? updatedAt, updatedAt);
}

/**
 * Changes a service's parameters. A secret left empty keeps its saved value. Deploys nothing: plan and
 * apply to roll the change out.
 */
export async function updateService(
  deps: ConfigDeps,
  clientId: string,
  serviceId: string,
  input: unknown,
): Promise<ServiceConfig> {
  const current = await getService(deps, clientId, serviceId);
  if (!current) throw new NotFoundError(`Service "${serviceId}" does not exist.`);
  const template = checkIds(deps, { ...current, params: input });
  const params = validateParams(template, input, { provider: current.provider, previous: current.params });
  const tfvars = buildTfvars({ ...current, params });
  const key = tfvarsKey(serviceRef(clientId, serviceId));
  const now = new Date().toISOString();
  await deps.store.put(key, deps.sealer.seal(key, serializeTfvars(tfvars)), {
    contentType: 'application/json',
    metadata: { 'created-at': current.createdAt, 'updated-at': now },
  });
  return { ...current, params, updatedAt: now };
}

export async function listServices(deps: ConfigDeps, clientId: string): Promise<ServiceConfig[]> {
  const ids = await deps.store.listFolders(`${clientPrefix(clientId)}services/`);
  const services = await Promise.all(ids.map((id) => getService(deps, clientId, id).catch(() => undefined)));
  return services.filter((s): s is ServiceConfig => s !== undefined);
}

/** True when the target's state in S3 holds managed resources. */
export async function isDeployed(deps: StateReaderDeps, ref: TargetRef): Promise<boolean> {
  return holdsResources(await readState(deps, ref));
}

/** Whether a state (decrypted, as `readState` gives it) holds any managed resource. */
export function holdsResources(state: unknown): boolean {
  const { resources } = (state ?? {}) as { resources?: { mode: string; instances?: unknown[] }[] };
  return (resources ?? []).some((r) => r.mode === 'managed' && (r.instances?.length ?? 0) > 0);
}

/** Deletes a service's configuration, state and plans; refused while anything is deployed. */
export async function deleteService(deps: ConfigDeps, clientId: string, serviceId: string): Promise<void> {
  const ref = serviceRef(clientId, serviceId);
  if (!(await deps.store.get(tfvarsKey(ref))))
    throw new NotFoundError(`Service "${serviceId}" does not exist.`);
  if (await isDeployed(deps, ref)) {
    throw new ConflictError(`Service "${serviceId}" is still deployed; destroy it first, then delete it.`);
  }
  await deps.store.deletePrefix(targetPrefix(ref));
}
