import type { TemplateOutput } from '../catalog/template.js';
import { type DockerPlatform, renderPlatform } from '../config/images.js';

export interface RootConfigInput {
  /** The module's path relative to the working directory. */
  moduleSource: string;
  /** Outputs to re-export (a service's template outputs); `undefined` re-exports the whole module as `network`. */
  outputs?: readonly TemplateOutput[];
  /** Parameter names whose values must never be printed by tofu. */
  secretParams: readonly string[];
  /** The operator's Docker settings, merged into `var.context` as `platform` when any is set. */
  platform?: DockerPlatform;
}

/**
 * The root configuration written into a working directory: a partial S3 backend, the two standard variables,
 * the module called by relative path, and its outputs. The module is not copied, so its own relative
 * `source`s keep working.
 */
export function renderRootConfig(input: RootConfigInput): string {
  // Secret parameters are marked sensitive before they reach the module, so plans show "(sensitive value)".
  const params =
    input.secretParams.length === 0
      ? '${var.params}'
      : `\${merge(var.params, { ${input.secretParams
          .map((name) => `${name} = sensitive(lookup(var.params, "${name}", null))`)
          .join(', ')} })}`;
  const outputs: Record<string, { value: string; description?: string; sensitive?: boolean }> = {};
  if (input.outputs) {
    for (const output of input.outputs) {
      outputs[output.name] = {
        value: `\${module.this.${output.name}}`,
        description: output.description,
        ...(output.secret ? { sensitive: true } : {}),
      };
    }
  } else {
    outputs.network = { value: '${module.this}' };
  }
  // Operator settings, not user input: kept out of the stored tfvars so changing them needs no re-save.
  const platform = input.platform ? renderPlatform(input.platform) : undefined;
  const context = platform
    ? '${merge(var.context, { platform = local.spawnit_platform })}'
    : '${var.context}';
  const root = {
    '//': 'Written by SpawnIt for each run; edits are overwritten.',
    terraform: { backend: { s3: {} } },
    variable: {
      context: { description: 'Set by SpawnIt.' },
      params: { description: "The user's validated parameters." },
    },
    ...(platform ? { locals: { spawnit_platform: platform } } : {}),
    module: { this: { source: input.moduleSource, context, params } },
    // tofu refuses an empty `output` object in JSON syntax: a template that exports nothing writes none.
    ...(Object.keys(outputs).length > 0 ? { output: outputs } : {}),
  };
  return `${JSON.stringify(root, null, 2)}\n`;
}
