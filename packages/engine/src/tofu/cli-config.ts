import { isAbsolute } from 'node:path';

export interface CliConfigInput {
  /** Folder where tofu keeps downloaded providers between working directories. */
  pluginCacheDir: string;
  /**
   * Where providers come from instead of their registries: an absolute folder laid out as a filesystem
   * mirror (`<host>/<namespace>/<type>/<version>/<os>_<arch>/...`), or an `https://` network mirror URL.
   * When set, it is the only source: an air-gapped site never reaches a registry.
   */
  providerMirror?: string;
}

/** The provider mirror is neither an absolute folder nor an https URL; the message names the setting. */
export class ProviderMirrorError extends Error {
  constructor(value: string) {
    super(
      `SPAWNIT_PROVIDER_MIRROR is "${value}": give an absolute folder laid out as a filesystem mirror (e.g. /srv/providers) or an https:// network mirror URL.`,
    );
    this.name = 'ProviderMirrorError';
  }
}

/** What a provider mirror setting means: a folder or a network mirror. */
export type ProviderSource =
  | { kind: 'registry' }
  | { kind: 'filesystem'; path: string }
  | { kind: 'network'; url: string };

export function parseProviderMirror(value: string | undefined): ProviderSource {
  const raw = value?.trim();
  if (!raw) return { kind: 'registry' };
  if (/^https:\/\//i.test(raw) && URL.canParse(raw)) {
    // tofu requires the trailing slash of a network mirror's base URL.
    return { kind: 'network', url: raw.endsWith('/') ? raw : `${raw}/` };
  }
  if (isAbsolute(raw) && !raw.includes('\n') && !raw.includes('"')) return { kind: 'filesystem', path: raw };
  throw new ProviderMirrorError(raw);
}

/** Renders the CLI config the engine hands tofu (`TF_CLI_CONFIG_FILE`): HCL, every string JSON-quoted. */
export function renderCliConfig(input: CliConfigInput): string {
  const lines = [`plugin_cache_dir   = ${JSON.stringify(input.pluginCacheDir)}`, 'disable_checkpoint = true'];
  const source = parseProviderMirror(input.providerMirror);
  if (source.kind === 'filesystem') {
    lines.push(
      'provider_installation {',
      '  filesystem_mirror {',
      `    path = ${JSON.stringify(source.path)}`,
      '  }',
      '}',
    );
  } else if (source.kind === 'network') {
    lines.push(
      'provider_installation {',
      '  network_mirror {',
      `    url = ${JSON.stringify(source.url)}`,
      '  }',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}
