import type { TemplateOutput } from '../catalog/template.js';
import { TofuError } from '../errors.js';
import { prepareWorkdir } from '../workdir/prepare-workdir.js';
import type { ResolvedTarget } from '../workdir/resolve-target.js';
import type { RunContext } from './run-context.js';

export interface OutputValue {
  name: string;
  description: string | undefined;
  sensitive: boolean;
  /** `null` for a sensitive output unless it was asked for with `reveal`. */
  value: unknown;
}

export interface OutputsOptions {
  /** Show the values of sensitive outputs. @default false */
  reveal?: boolean;
}

/**
 * The outputs a user sees, from the state's `outputs` (what `tofu output -json` prints): in the order the
 * template declares them, and masked when tofu or the template calls them sensitive. The one rule for the
 * engine and the API.
 */
export function presentOutputs(
  raw: Record<string, { value: unknown; sensitive?: boolean }>,
  declared: readonly TemplateOutput[] = [],
  options: OutputsOptions = {},
): OutputValue[] {
  const order = new Map(declared.map((o, i) => [o.name, i]));
  return Object.entries(raw)
    .sort(([a], [b]) => (order.get(a) ?? order.size) - (order.get(b) ?? order.size) || a.localeCompare(b))
    .map(([name, output]) => {
      const template = declared.find((o) => o.name === name);
      const sensitive = (output.sensitive ?? false) || (template?.secret ?? false);
      return {
        name,
        description: template?.description,
        sensitive,
        value: sensitive && !options.reveal ? null : output.value,
      };
    });
}

/** The module outputs from the state (`output -json`), sensitive ones masked unless asked for. */
export async function readOutputs(
  ctx: RunContext,
  target: ResolvedTarget,
  options: OutputsOptions = {},
): Promise<OutputValue[]> {
  const prepared = await prepareWorkdir(ctx, target);
  const result = await ctx.run(['output', '-json'], { cwd: prepared.dir });
  const json = result.stdout.join('\n');
  if (result.exitCode !== 0 || !json.trim().startsWith('{')) {
    throw new TofuError(
      `Could not read the outputs of ${target.description}: ${ctx.lastLines(result.lines)}`,
      {
        command: result.command,
        exitCode: result.exitCode,
        output: json,
      },
    );
  }
  const raw = JSON.parse(json.slice(json.indexOf('{'))) as Record<
    string,
    { sensitive: boolean; value: unknown }
  >;
  return presentOutputs(raw, target.outputs, options);
}
