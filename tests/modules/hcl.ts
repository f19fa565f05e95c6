import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

/** The repository root, whatever folder the tests run from. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A JSON value as hcl2json writes it: expressions are strings wrapped in `${...}`. */
export type HclValue = string | number | boolean | null | HclValue[] | { [key: string]: HclValue };
export type HclBody = Record<string, HclValue>;

export interface TfBlock {
  /** `docker_container` for a resource or data source; the block label for the others. */
  type: string;
  name: string;
  body: HclBody;
  file: string;
}

/** The parts of a Terraform/OpenTofu module the checks read, merged across its `.tf` files. */
export interface TfModule {
  dir: string;
  /** `.tf` file names, sorted. */
  files: string[];
  variables: Record<string, TfBlock>;
  outputs: Record<string, TfBlock>;
  resources: TfBlock[];
  data: TfBlock[];
  modules: Record<string, TfBlock>;
  providers: TfBlock[];
  locals: Record<string, HclValue>;
  requiredVersion: string | undefined;
  requiredProviders: Record<string, { source?: string; version?: string }>;
}

/** Parses one HCL file; a syntax error names the file, line and column. */
export async function parseHcl(file: string, text: string): Promise<Record<string, unknown>> {
  try {
    return await parse(file, text);
  } catch (error) {
    throw new Error(`${file} does not parse: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function asBlocks(value: unknown): HclBody[] {
  return Array.isArray(value) ? (value as HclBody[]) : [];
}

/** Folders under `root` that hold `.tf` files, sorted; `.terraform` folders are skipped. */
export function listTfDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir).sort();
    if (entries.some((name) => name.endsWith('.tf'))) found.push(dir);
    for (const name of entries) {
      if (name === '.terraform' || name === 'node_modules') continue;
      const child = path.join(dir, name);
      if (statSync(child).isDirectory()) walk(child);
    }
  };
  if (existsSync(root)) walk(root);
  return found;
}

/** Builds a {@link TfModule} from already-read files: `{ 'main.tf': '...' }`. Tests use it with fixtures. */
export async function parseModule(dir: string, sources: Record<string, string>): Promise<TfModule> {
  const module: TfModule = {
    dir,
    files: Object.keys(sources).sort(),
    variables: {},
    outputs: {},
    resources: [],
    data: [],
    modules: {},
    providers: [],
    locals: {},
    requiredVersion: undefined,
    requiredProviders: {},
  };
  for (const file of module.files) {
    const doc = await parseHcl(path.join(dir, file), sources[file] as string);
    for (const [name, blocks] of Object.entries(asObject(doc.variable))) {
      for (const body of asBlocks(blocks)) module.variables[name] = { type: 'variable', name, body, file };
    }
    for (const [name, blocks] of Object.entries(asObject(doc.output))) {
      for (const body of asBlocks(blocks)) module.outputs[name] = { type: 'output', name, body, file };
    }
    for (const [name, blocks] of Object.entries(asObject(doc.module))) {
      for (const body of asBlocks(blocks)) module.modules[name] = { type: 'module', name, body, file };
    }
    for (const [name, blocks] of Object.entries(asObject(doc.provider))) {
      for (const body of asBlocks(blocks)) module.providers.push({ type: 'provider', name, body, file });
    }
    for (const [kind, list] of [
      ['resource', module.resources],
      ['data', module.data],
    ] as const) {
      for (const [type, byName] of Object.entries(asObject(doc[kind]))) {
        for (const [name, blocks] of Object.entries(asObject(byName))) {
          for (const body of asBlocks(blocks)) list.push({ type, name, body, file });
        }
      }
    }
    for (const body of asBlocks(doc.locals)) Object.assign(module.locals, body);
    for (const body of asBlocks(doc.terraform)) {
      if (typeof body.required_version === 'string') module.requiredVersion = body.required_version;
      for (const providers of asBlocks(body.required_providers)) {
        for (const [name, spec] of Object.entries(providers)) {
          module.requiredProviders[name] = asObject(spec) as { source?: string; version?: string };
        }
      }
    }
  }
  return module;
}

/** Reads and parses every `.tf` file of a folder. */
export async function loadModule(dir: string): Promise<TfModule> {
  const sources: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.tf')) sources[name] = readFileSync(path.join(dir, name), 'utf8');
  }
  return parseModule(dir, sources);
}

/** `"${var.x}"` → `var.x`; `undefined` for a literal (a string with text around or without `${`). */
export function expressionOf(value: HclValue | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\$\{([\s\S]*)\}$/.exec(value.trim());
  if (!match) return undefined;
  // "${a}-${b}" is a template, not one expression.
  return (match[1] as string).includes('${') ? undefined : (match[1] as string).trim();
}

/** The path of `relative` from the repository root, for messages. */
export function fromRoot(file: string): string {
  return path.relative(repoRoot, file) || '.';
}
