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
  const descriptions = new Map(target.outputs?.map((o) => [o.name, o.description]));
  return Object.entries(raw).map(([name, { sensitive, value }]) => ({
    name,
    description: descriptions.get(name),
    sensitive,
    value: sensitive && !options.reveal ? null : value,
  }));
}
