import path from 'node:path';
import type { Catalog } from '../catalog/load-catalog.js';
import type { Template, TemplateOutput } from '../catalog/template.js';
import type { TfVars } from '../config/tfvars.js';
import { NotFoundError, SpawnitError } from '../errors.js';
import type { ProviderName } from '../ids.js';
import type { ConfigSealer } from '../secrets/config-sealer.js';
import { describeTarget, stateKey, type TargetRef, tfvarsKey } from '../store/keys.js';
import type { S3Store } from '../store/s3-store.js';

/** Everything a run needs to know about its target, read from S3 and the catalog. */
export interface ResolvedTarget {
  ref: TargetRef;
  description: string;
  workdir: string;
  moduleDir: string;
  stateKey: string;
  tfvars: TfVars;
  tfvarsBody: Buffer;
  template: Template | undefined;
  outputs: readonly TemplateOutput[] | undefined;
  secretParams: string[];
  /** Values to redact from every output line. */
  secretValues: string[];
}

export function workdirOf(workdirRoot: string, ref: TargetRef): string {
  // `_networks` cannot collide with a service id, which must start with a letter.
  return ref.kind === 'service'
    ? path.join(workdirRoot, ref.clientId, ref.serviceId)
    : path.join(workdirRoot, ref.clientId, '_networks', ref.provider, ref.networkName);
}

/** A network's module: the catalog's network template for its provider, else `network/<provider>`. */
export function networkModuleDir(catalog: Catalog, modulesDir: string, provider: ProviderName): string {
  return path.resolve(modulesDir, catalog.network(provider)?.modules[provider] ?? `network/${provider}`);
}

export async function resolveTarget(
  deps: { store: S3Store; catalog: Catalog; modulesDir: string; workdirRoot: string; sealer: ConfigSealer },
  ref: TargetRef,
): Promise<ResolvedTarget> {
  const description = describeTarget(ref);
  const key = tfvarsKey(ref);
  const object = await deps.store.get(key);
  if (!object) {
    throw new NotFoundError(
      ref.kind === 'service'
        ? `${description} does not exist; create it first.`
        : `${description} has no configuration; create the network first.`,
    );
  }
  // Opened here, written in clear only into the working directory tofu reads it from.
  const tfvarsBody = deps.sealer.open(key, object.body);
  const tfvars = JSON.parse(tfvarsBody.toString('utf8')) as TfVars;
  let template: Template | undefined;
  let moduleDir: string;
  if (ref.kind === 'service') {
    template = deps.catalog.get(tfvars.context.template_id);
    const modulePath = template?.modules[tfvars.context.provider];
    if (!template || !modulePath) {
      throw new SpawnitError(
        'TEMPLATE_INVALID',
        `${description} uses template "${tfvars.context.template_id}" for provider "${tfvars.context.provider}", which the catalog no longer offers; restore the template or delete the service.`,
      );
    }
    moduleDir = path.resolve(deps.modulesDir, modulePath);
  } else {
    template = deps.catalog.network(ref.provider);
    moduleDir = networkModuleDir(deps.catalog, deps.modulesDir, ref.provider);
  }
  const secretParams = template?.parameters.filter((p) => p.secret).map((p) => p.name) ?? [];
  const secretValues = secretParams
    .map((name) => tfvars.params[name])
    .filter((v): v is string => typeof v === 'string' && v.length >= 4);
  return {
    ref,
    description,
    workdir: workdirOf(deps.workdirRoot, ref),
    moduleDir,
    stateKey: stateKey(ref),
    tfvars,
    tfvarsBody,
    template,
    outputs: template?.outputs,
    secretParams,
    secretValues,
  };
}
