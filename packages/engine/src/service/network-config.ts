import { type Params, validateParams } from '../catalog/validate-params.js';
import { buildTfvars, serializeTfvars, type TfVars } from '../config/tfvars.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { assertNetworkName, assertProvider, type ProviderName } from '../ids.js';
import { clientPrefix, type TargetRef, targetPrefix, tfvarsKey } from '../store/keys.js';
import { type ConfigDeps, isDeployed, listServices, writtenAt } from './service-config.js';

/** A network a client's services sit on: (client, provider, name), with its own tfvars and state. */
export interface NetworkConfig {
  clientId: string;
  provider: ProviderName;
  networkName: string;
  params: Params;
  createdAt: string;
  updatedAt: string;
}

export interface CreateNetworkInput {
  clientId: string;
  provider: ProviderName;
  networkName: string;
  params?: unknown;
}

export const networkRef = (clientId: string, provider: ProviderName, networkName: string): TargetRef => ({
  kind: 'network',
  clientId,
  provider,
  networkName,
});

function checkParams(deps: ConfigDeps, provider: ProviderName, input: unknown, previous?: Params): Params {
  const template = deps.catalog.network(provider);
  if (template) return validateParams(template, input ?? {}, { provider, previous });
  if (input && typeof input === 'object' && Object.keys(input).length > 0) {
    throw new ValidationError(`Network (${provider})`, [
      {
        field: 'params',
        rule: 'unknown',
        message: `the ${provider} network takes no parameters in this catalog`,
      },
    ]);
  }
  return {};
}

/** Validates and saves a network's configuration. Deploys nothing. */
export async function createNetwork(deps: ConfigDeps, input: CreateNetworkInput): Promise<NetworkConfig> {
  clientPrefix(input.clientId);
  const errors: { field: string; rule: string; message: string }[] = [];
  for (const [field, check] of [
    ['provider', () => assertProvider(input.provider)],
    ['networkName', () => assertNetworkName(input.networkName)],
  ] as const) {
    try {
      check();
    } catch (error) {
      errors.push({ field, rule: 'format', message: (error as Error).message });
    }
  }
  if (errors.length > 0) throw new ValidationError(`Network "${String(input.networkName)}"`, errors);
  const ref = networkRef(input.clientId, input.provider, input.networkName);
  const params = checkParams(deps, input.provider, input.params);
  if (await deps.store.get(tfvarsKey(ref))) {
    throw new ConflictError(`Network "${input.networkName}" (${input.provider}) already exists.`);
  }
  const now = new Date().toISOString();
  await deps.store.put(
    tfvarsKey(ref),
    deps.sealer.seal(tfvarsKey(ref), serializeTfvars(buildTfvars({ ...input, params }))),
    {
      contentType: 'application/json',
      metadata: { 'created-at': now, 'updated-at': now },
    },
  );
  return {
    clientId: input.clientId,
    provider: input.provider,
    networkName: input.networkName,
    params,
    createdAt: now,
    updatedAt: now,
  };
}

export async function getNetwork(
  deps: ConfigDeps,
  clientId: string,
  provider: ProviderName,
  networkName: string,
): Promise<NetworkConfig | undefined> {
  const key = tfvarsKey(networkRef(clientId, provider, networkName));
  const object = await deps.store.get(key);
  if (!object) return undefined;
  const tfvars = JSON.parse(deps.sealer.open(key, object.body).toString('utf8')) as TfVars;
  const updatedAt = writtenAt(object);
  return {
    clientId,
    provider,
    networkName,
    params: tfvars.params,
    createdAt: object.metadata['created-at'] ?? updatedAt,
    updatedAt,
  };
}

export async function listNetworks(deps: ConfigDeps, clientId: string): Promise<NetworkConfig[]> {
  const out: NetworkConfig[] = [];
  for (const provider of ['local', 'aws'] as const) {
    const names = await deps.store.listFolders(`${clientPrefix(clientId)}networks/${provider}/`);
    for (const name of names) {
      const network = await getNetwork(deps, clientId, provider, name).catch(() => undefined);
      if (network) out.push(network);
    }
  }
  return out;
}

/** The deployed services of a client that sit on a network. */
export async function servicesOnNetwork(
  deps: ConfigDeps,
  ref: Extract<TargetRef, { kind: 'network' }>,
): Promise<string[]> {
  const services = await listServices(deps, ref.clientId);
  const on = services.filter((s) => s.provider === ref.provider && s.networkName === ref.networkName);
  const deployed = await Promise.all(
    on.map(async (s) =>
      (await isDeployed(deps, { kind: 'service', clientId: s.clientId, serviceId: s.serviceId }))
        ? s.serviceId
        : undefined,
    ),
  );
  return deployed.filter((id): id is string => id !== undefined);
}

/** Deletes a network's configuration and state; refused while it is deployed. */
export async function deleteNetwork(
  deps: ConfigDeps,
  ref: Extract<TargetRef, { kind: 'network' }>,
): Promise<void> {
  if (!(await deps.store.get(tfvarsKey(ref)))) {
    throw new NotFoundError(`Network "${ref.networkName}" (${ref.provider}) does not exist.`);
  }
  if (await isDeployed(deps, ref)) {
    throw new ConflictError(
      `Network "${ref.networkName}" is still deployed; destroy it first, then delete it.`,
    );
  }
  await deps.store.deletePrefix(targetPrefix(ref));
}
