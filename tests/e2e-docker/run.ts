/**
 * End-to-end check of the local catalog on a real Docker engine: for each template with a local module, the
 * engine saves a service with the template's defaults, plans, applies, the script connects to the service's
 * port, then the engine destroys it. Not part of `pnpm test`: run `pnpm test:e2e-docker` on a machine with
 * Docker, OpenTofu (or Terraform) and internet access. Options: `--only postgresql,redis`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The part of @spawnit/engine this script uses (imported at run time, so a typecheck does not need it). */
interface Engine {
  catalog: { templates: readonly Template[] };
  createNetwork(input: {
    clientId: string;
    provider: 'local';
    networkName: string;
    params?: unknown;
  }): Promise<unknown>;
  createService(input: {
    clientId: string;
    serviceId: string;
    templateId: string;
    provider: 'local';
    networkName: string;
    params: unknown;
  }): Promise<unknown>;
  plan(ref: Ref): Promise<{ planId: string; status: string; error?: string }>;
  apply(ref: Ref, planId: string): Promise<unknown>;
  destroy(ref: Ref): Promise<unknown>;
  outputs(ref: Ref): Promise<{ name: string; value: unknown }[]>;
}
type Ref =
  | { clientId: string; serviceId: string }
  | { kind: 'network'; clientId: string; provider: 'local'; networkName: string };
interface Template {
  id: string;
  modules: { local?: string };
  parameters: { name: string; type: string; required?: boolean; default?: unknown; generate?: unknown }[];
}

const CLIENT = 'e2e';
const NETWORK = 'e2e';
/** Values the user must give (no default): accepting the Minecraft EULA is a choice the test makes. */
const REQUIRED_ANSWERS: Record<string, Record<string, unknown>> = { minecraft: { eula: true } };

function runs(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

async function reachable(url: string): Promise<boolean> {
  try {
    // Any HTTP answer (a registry says 401 to an anonymous probe) proves the way out is open.
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
    return true;
  } catch {
    return false;
  }
}

/** Everything the run needs; each missing piece is named with what to do about it. */
async function missingPrerequisites(): Promise<string[]> {
  const missing: string[] = [];
  if (!runs('docker', ['info'])) {
    missing.push('a Docker engine: `docker info` failed (install Docker and start it, or set DOCKER_HOST).');
  }
  const tofu = [process.env.SPAWNIT_TOFU_BIN, 'tofu', 'terraform'].filter((c): c is string => !!c);
  if (!tofu.some((bin) => runs(bin, ['version']))) {
    missing.push(
      `OpenTofu or Terraform: none of ${tofu.join(', ')} runs (install OpenTofu >= 1.9 or set SPAWNIT_TOFU_BIN).`,
    );
  }
  for (const [what, url] of [
    ['the provider registry', 'https://registry.opentofu.org/.well-known/terraform.json'],
    ['Docker Hub', 'https://registry-1.docker.io/v2/'],
  ] as const) {
    if (!(await reachable(url)))
      missing.push(`internet access to ${what} (${url}): providers and images are downloaded.`);
  }
  return missing;
}

/** Imports a workspace package by a computed name, so the typecheck does not depend on its progress. */
async function importPackage(name: string): Promise<Record<string, unknown>> {
  try {
    return (await import(name)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `Cannot import ${name}: ${(error as Error).message}. Run pnpm install at the repository root.`,
    );
  }
}

function tcpConnect(port: number, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(
      () => socket.destroy(new Error(`no answer on port ${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function deploy(engine: Engine, ref: Ref, label: string): Promise<void> {
  const plan = await engine.plan(ref);
  if (plan.status === 'error')
    throw new Error(`plan of ${label} failed: ${plan.error ?? 'see the log above'}`);
  await engine.apply(ref, plan.planId);
}

async function checkTemplate(engine: Engine, template: Template): Promise<void> {
  const ref = { clientId: CLIENT, serviceId: `e2e-${template.id}`.slice(0, 40).replace(/-+$/, '') };
  await engine.createService({
    ...ref,
    templateId: template.id,
    provider: 'local',
    networkName: NETWORK,
    params: REQUIRED_ANSWERS[template.id] ?? {},
  });
  try {
    await deploy(engine, ref, template.id);
    const outputs = await engine.outputs(ref);
    const port = outputs.find((o) => o.name === 'port' || o.name === 'http_port')?.value;
    const fromDefaults = template.parameters.find(
      (p) => p.name === 'port' || p.name === 'http_port',
    )?.default;
    const target = Number(port ?? fromDefaults);
    if (!Number.isInteger(target))
      throw new Error(`${template.id} shows no port output and has no port parameter`);
    await tcpConnect(target);
    console.log(`ok   ${template.id}: answers on port ${target}`);
  } finally {
    await engine.destroy(ref);
  }
}

async function main(): Promise<number> {
  const missing = await missingPrerequisites();
  if (missing.length > 0) {
    console.error(`tests/e2e-docker cannot run on this machine; it needs:\n  - ${missing.join('\n  - ')}`);
    return 1;
  }
  const only = process.argv
    .find((arg) => arg.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const engineModule = await importPackage(['@spawnit', 'engine'].join('/'));
  const embedded = await importPackage(['@spawnit', 'embedded'].join('/'));
  const createEngine = engineModule.createEngine as (options: unknown) => Promise<Engine>;
  const createS3Server = embedded.createS3Server as (options: unknown) => {
    start(): Promise<{ endpoint: string }>;
    stop(): Promise<void>;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };

  const dataDir = await mkdtemp(path.join(tmpdir(), 'spawnit-e2e-'));
  const s3 = createS3Server({ directory: path.join(dataDir, 's3'), buckets: ['spawnit'] });
  const { endpoint } = await s3.start();
  const failures: string[] = [];
  try {
    const engine = await createEngine({
      store: { endpoint, bucket: 'spawnit', ...s3.credentials },
      catalogDir: path.join(repoRoot, 'catalog'),
      modulesDir: path.join(repoRoot, 'modules'),
      dataDir: path.join(dataDir, 'engine'),
    });
    const templates = engine.catalog.templates.filter(
      (t) => t.modules.local && (!only || only.includes(t.id)),
    );
    const network: Ref = { kind: 'network', clientId: CLIENT, provider: 'local', networkName: NETWORK };
    await engine.createNetwork({ clientId: CLIENT, provider: 'local', networkName: NETWORK });
    await deploy(engine, network, 'the network');
    try {
      for (const template of templates) {
        try {
          await checkTemplate(engine, template);
        } catch (error) {
          failures.push(`${template.id}: ${(error as Error).message}`);
          console.error(`FAIL ${template.id}: ${(error as Error).message}`);
        }
      }
    } finally {
      await engine.destroy(network);
    }
    console.log(
      `\n${templates.length - failures.length}/${templates.length} local templates deployed, answered and were destroyed.`,
    );
  } finally {
    await s3.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  return 1;
});
