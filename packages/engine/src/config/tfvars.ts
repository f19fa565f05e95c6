import type { Params } from '../catalog/validate-params.js';
import type { ProviderName } from '../ids.js';

/** Server-side values every module receives as `var.context` (see modules/README.md). */
export interface DeploymentContext {
  client_id: string;
  /** `""` for a network. */
  service_id: string;
  /** `""` for a network. */
  template_id: string;
  provider: ProviderName;
  network_name: string;
  labels: Record<string, string>;
}

/** The content of `terraform.tfvars.json`: the module's standard input structure. */
export interface TfVars {
  context: DeploymentContext;
  params: Params;
}

export interface BuildTfvarsInput {
  clientId: string;
  serviceId?: string;
  templateId?: string;
  provider: ProviderName;
  networkName: string;
  params: Params;
}

/** Label values must survive Docker labels and AWS tags: keep them short and plain. */
function labelValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.@:/=+-]/g, '_').slice(0, 255);
}

/** Wraps validated parameters into the standard input structure, completed with server-side values. */
export function buildTfvars(input: BuildTfvarsInput): TfVars {
  const labels: Record<string, string> = {
    'managed-by': 'spawnit',
    'spawnit-client': labelValue(input.clientId),
    'spawnit-network': labelValue(input.networkName),
  };
  if (input.serviceId) labels['spawnit-service'] = labelValue(input.serviceId);
  if (input.templateId) labels['spawnit-template'] = labelValue(input.templateId);
  return {
    context: {
      client_id: input.clientId,
      service_id: input.serviceId ?? '',
      template_id: input.templateId ?? '',
      provider: input.provider,
      network_name: input.networkName,
      labels,
    },
    params: input.params,
  };
}

/**
 * Serialises tfvars. JSON values are never interpolated by tofu, so `${` or `%{` in user input stays literal.
 */
export function serializeTfvars(tfvars: TfVars): string {
  return `${JSON.stringify(tfvars, null, 2)}\n`;
}
