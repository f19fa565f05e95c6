import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type Template, templateSchema } from './template.js';

/** A template that could not be loaded, with the file and the reason. */
export interface CatalogProblem {
  file: string;
  message: string;
}

export interface Catalog {
  /** Loaded templates, in `catalog.json` order. */
  readonly templates: readonly Template[];
  /** Templates that failed to load; the others are unaffected. */
  readonly problems: readonly CatalogProblem[];
  get(id: string): Template | undefined;
  /** The parameter template of a provider's network module, if the catalog defines one. */
  network(provider: string): Template | undefined;
}

export interface LoadCatalogOptions {
  /** Folder holding `catalog.json` and the template files. */
  catalogDir: string;
  /** Folder the templates' module paths are relative to. */
  modulesDir: string;
}

const catalogFileSchema = z.strictObject({
  templates: z.array(z.string().min(1)),
  /** Per provider, the template describing its network module's parameters. */
  networks: z.partialRecord(z.enum(['local', 'aws']), z.string().min(1)).optional(),
});

function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`is not valid JSON (${(error as Error).message})`);
  }
}

async function hasTfFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((name) => name.endsWith('.tf') || name.endsWith('.tf.json'));
  } catch {
    return false;
  }
}

async function loadTemplate(file: string, modulesDir: string): Promise<Template> {
  const parsed = templateSchema.safeParse(await readJson(file));
  if (!parsed.success) throw new Error(formatZodError(parsed.error));
  const template = parsed.data;
  for (const [provider, modulePath] of Object.entries(template.modules)) {
    if (!(await hasTfFiles(path.join(modulesDir, modulePath)))) {
      throw new Error(`module "${modulePath}" for provider "${provider}" has no .tf files in ${modulesDir}`);
    }
  }
  return template;
}

/**
 * Reads `catalog.json` and every template it lists. A broken template is reported in `problems` with its
 * file and reason and does not stop the others; a missing or broken `catalog.json` throws.
 */
export async function loadCatalog(options: LoadCatalogOptions): Promise<Catalog> {
  const catalogFile = path.join(options.catalogDir, 'catalog.json');
  let listing: z.infer<typeof catalogFileSchema>;
  try {
    const parsed = catalogFileSchema.safeParse(await readJson(catalogFile));
    if (!parsed.success) throw new Error(formatZodError(parsed.error));
    listing = parsed.data;
  } catch (error) {
    throw new Error(`Cannot load the catalog ${catalogFile}: ${(error as Error).message}`, { cause: error });
  }

  const templates: Template[] = [];
  const problems: CatalogProblem[] = [];
  const byId = new Map<string, Template>();
  const load = async (entry: string): Promise<Template | undefined> => {
    const file = path.resolve(options.catalogDir, entry);
    if (!file.startsWith(path.resolve(options.catalogDir) + path.sep)) {
      problems.push({ file: entry, message: 'is outside the catalog folder' });
      return undefined;
    }
    try {
      const template = await loadTemplate(file, options.modulesDir);
      if (byId.has(template.id)) throw new Error(`template id "${template.id}" is already used`);
      return template;
    } catch (error) {
      const reason =
        (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
      problems.push({ file, message: reason });
      return undefined;
    }
  };
  for (const entry of listing.templates) {
    const template = await load(entry);
    if (!template) continue;
    byId.set(template.id, template);
    templates.push(template);
  }
  const networks = new Map<string, Template>();
  for (const [provider, entry] of Object.entries(listing.networks ?? {})) {
    const template = entry ? await load(entry) : undefined;
    if (template) networks.set(provider, template);
  }
  return { templates, problems, get: (id) => byId.get(id), network: (provider) => networks.get(provider) };
}
