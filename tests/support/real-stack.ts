import path from 'node:path';
import { type Engine, type EngineOptions, parseImageSubstitution, type TargetRef } from '@spawnit/engine';
import { execa } from 'execa';
import { REPO_ROOT } from './paths.js';

/** What the real-stack tests run on: set by tests/setup/real-stack.ts from scripts/stack/prepare.sh. */
export interface RealStack {
  /** The OpenTofu binary built from the Go module proxy. */
  tofuBin: string;
  /** The provider filesystem mirror (kreuzwerker/docker built from the Go module proxy). */
  providerMirror: string;
  /** The tests' own dockerd. */
  dockerHost: string;
  /** The official images the local Debian-built images stand in for (`SPAWNIT_IMAGE_MAP`). */
  imageMap: string;
}

/** The real stack's settings; throws naming each missing one and how to get it. Never a skip. */
export function realStack(): RealStack {
  const env = process.env;
  const missing = ['SPAWNIT_TOFU_BIN', 'SPAWNIT_PROVIDER_MIRROR', 'DOCKER_HOST', 'SPAWNIT_IMAGE_MAP'].filter(
    (name) => !env[name],
  );
  if (missing.length > 0) {
    throw new Error(
      `The real stack is not prepared: ${missing.join(', ')} unset. Run the tests through vitest (its global setup runs scripts/stack/prepare.sh), or run that script and export what it prints.`,
    );
  }
  return {
    tofuBin: env.SPAWNIT_TOFU_BIN as string,
    providerMirror: env.SPAWNIT_PROVIDER_MIRROR as string,
    dockerHost: env.DOCKER_HOST as string,
    imageMap: env.SPAWNIT_IMAGE_MAP as string,
  };
}

/** The docker CLI against the tests' dockerd; never throws, the caller reads the exit code. */
export async function docker(...args: string[]) {
  const { dockerHost } = realStack();
  return execa('docker', args, { env: { DOCKER_HOST: dockerHost }, reject: false, timeout: 120_000 });
}

/** Names of every container, network or volume (`kind`) whose name starts with `prefix`. */
/** The name of a service's container, found by the labels SpawnIt puts on it; undefined when there is none. */
export async function containerOfService(clientId: string, serviceId: string): Promise<string | undefined> {
  const result = await docker(
    'ps',
    '-a',
    '--filter',
    `label=spawnit-client=${clientId}`,
    '--filter',
    `label=spawnit-service=${serviceId}`,
    '--format',
    '{{.Names}}',
  );
  return result.stdout.trim() || undefined;
}

export async function dockerObjects(kind: 'container' | 'network' | 'volume', prefix: string) {
  const args =
    kind === 'container' ? ['ps', '-a', '--format', '{{.Names}}'] : [kind, 'ls', '--format', '{{.Name}}'];
  const result = await docker(...args);
  if (result.exitCode !== 0) throw new Error(`docker ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((name) => name.startsWith(prefix));
}

/** The engine on the shipped catalog and modules, the mirror, the local images, ports on loopback only. */
export function realEngineOptions(): Partial<EngineOptions> {
  const stack = realStack();
  return {
    catalogDir: path.join(REPO_ROOT, 'catalog'),
    modulesDir: path.join(REPO_ROOT, 'modules'),
    providerMirror: stack.providerMirror,
    images: parseImageSubstitution(stack.imageMap),
    publishIp: '127.0.0.1',
  };
}

/**
 * After a test file, failed or not: destroys what is still deployed of its services, then their network, so the
 * tests' dockerd is left with nothing of it for the next run. Errors are swallowed: this only cleans up.
 */
export async function destroyLeftovers(
  engine: Engine,
  clientId: string,
  serviceIds: readonly string[],
  networkName: string,
): Promise<void> {
  const targets: TargetRef[] = [
    ...serviceIds.map((serviceId) => ({ kind: 'service' as const, clientId, serviceId })),
    { kind: 'network', clientId, provider: 'local', networkName },
  ];
  for (const ref of targets) {
    if (await engine.isDeployed(ref).catch(() => false)) await engine.destroy(ref).catch(() => undefined);
  }
}
