/** The repository's modules, bootstrap roots and catalog, loaded once per test file. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { listTfDirs, loadModule, repoRoot, type TfModule } from './hcl.js';
import type { Template } from './template-rules.js';

export const modulesDir = path.join(repoRoot, 'modules');
export const bootstrapDir = path.join(repoRoot, 'bootstrap');
export const catalogDir = path.join(repoRoot, 'catalog');

export type ModuleKind = 'service' | 'network' | 'building-block';

/** What a module folder is, from where it sits (see modules/README.md). */
export function kindOf(relativeDir: string): ModuleKind {
  if (/^services\/[^/]+\/(local|aws)$/.test(relativeDir)) return 'service';
  if (/^network\/(local|aws)$/.test(relativeDir)) return 'network';
  return 'building-block';
}

/** Module folders relative to modules/, e.g. `services/postgresql/local`. */
export function listModules(): string[] {
  return listTfDirs(modulesDir).map((dir) => path.relative(modulesDir, dir));
}

/** Bootstrap roots relative to bootstrap/, e.g. `instances`. */
export function listBootstrapRoots(): string[] {
  return listTfDirs(bootstrapDir).map((dir) => path.relative(bootstrapDir, dir));
}

const cache = new Map<string, Promise<TfModule>>();

/** Loads a module folder (absolute path) once. */
export function loadCached(dir: string): Promise<TfModule> {
  let loaded = cache.get(dir);
  if (!loaded) {
    loaded = loadModule(dir);
    cache.set(dir, loaded);
  }
  return loaded;
}

/** The modules a module calls by a relative path that holds `.tf` files, loaded, by absolute folder. */
export async function loadCalledModules(m: TfModule): Promise<Map<string, TfModule>> {
  const dirs = Object.values(m.modules)
    .map((call) => call.body.source)
    .filter((source): source is string => typeof source === 'string' && source.startsWith('.'))
    .map((source) => path.resolve(m.dir, source))
    .filter((dir) => existsSync(dir) && readdirSync(dir).some((name) => name.endsWith('.tf')));
  return new Map(await Promise.all(dirs.map(async (dir) => [dir, await loadCached(dir)] as const)));
}

export function filesIn(dir: string): string[] {
  return readdirSync(dir);
}

export interface CatalogEntry {
  /** Path relative to catalog/, as catalog.json lists it. */
  file: string;
  json: unknown;
}

function readEntry(file: string): CatalogEntry {
  const text = readFileSync(path.join(catalogDir, file), 'utf8');
  try {
    return { file, json: JSON.parse(text) as unknown };
  } catch (error) {
    throw new Error(`catalog/${file} is not valid JSON: ${(error as Error).message}`);
  }
}

type Provider = 'local' | 'aws';

/**
 * What catalog.json lists, parsed: the service templates and, per provider, the template of the network
 * module's parameters. A file that is not JSON throws with its name.
 */
export function readCatalog(): {
  listed: string[];
  entries: CatalogEntry[];
  networks: (CatalogEntry & { provider: Provider })[];
} {
  const listing = JSON.parse(readFileSync(path.join(catalogDir, 'catalog.json'), 'utf8')) as {
    templates: string[];
    networks?: Partial<Record<Provider, string>>;
  };
  const networks = Object.entries(listing.networks ?? {}).map(([provider, file]) => ({
    ...readEntry(file as string),
    provider: provider as Provider,
  }));
  return { listed: listing.templates, entries: listing.templates.map(readEntry), networks };
}

/** The service templates, typed; call after validateTemplate found no problem. */
export function templates(): Template[] {
  return readCatalog().entries.map((entry) => entry.json as Template);
}

/** The network templates by provider, typed. */
export function networkTemplates(): { provider: Provider; template: Template }[] {
  return readCatalog().networks.map((entry) => ({
    provider: entry.provider,
    template: entry.json as Template,
  }));
}
