import type { TofuBinary } from '../tofu/binary.js';
import { type ProviderSource, parseProviderMirror } from '../tofu/cli-config.js';
import { DEFAULT_DOCKER_HOST, type DockerCheck, pingDocker } from './ping-docker.js';

/** What the engine runs with, checked at start and on demand: shown in the banner, the API and the UI. */
export interface Preflight {
  tofu: { name: TofuBinary['name']; version: string };
  /** Where providers come from. */
  providers: ProviderSource;
  docker: DockerCheck;
  /** One line per missing part, with what to do; empty when all is well. */
  warnings: string[];
  checkedAt: string;
}

export interface PreflightInput {
  tofu: TofuBinary;
  providerMirror: string | undefined;
  /** The environment tofu's providers get (`DOCKER_HOST` is read from it). */
  env: Record<string, string | undefined>;
}

export async function runPreflight(input: PreflightInput): Promise<Preflight> {
  const docker = await pingDocker(input.env.DOCKER_HOST || DEFAULT_DOCKER_HOST);
  const warnings: string[] = [];
  if (docker.error) warnings.push(docker.error);
  return {
    tofu: { name: input.tofu.name, version: input.tofu.version },
    providers: parseProviderMirror(input.providerMirror),
    docker,
    warnings,
    checkedAt: new Date().toISOString(),
  };
}

/** The preflight in a few lines, for the start banner. */
export function describePreflight(preflight: Preflight): string[] {
  const providers =
    preflight.providers.kind === 'registry'
      ? 'their registries (set SPAWNIT_PROVIDER_MIRROR for an offline site)'
      : preflight.providers.kind === 'filesystem'
        ? `the mirror folder ${preflight.providers.path}`
        : `the network mirror ${preflight.providers.url}`;
  return [
    `Binary:    ${preflight.tofu.name} ${preflight.tofu.version}`,
    `Providers: from ${providers}`,
    `Docker:    ${preflight.docker.reachable ? `${preflight.docker.version ?? 'unknown version'} at ${preflight.docker.host}` : `not answering at ${preflight.docker.host}`}`,
  ];
}
