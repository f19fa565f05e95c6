import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Catalog, loadCatalog } from './catalog/load-catalog.js';
import { type ImageSubstitution, NO_IMAGE_SUBSTITUTION, parsePublishIp } from './config/images.js';
import type { ProviderName } from './ids.js';
import { type ListingIndex, withoutParams } from './listing/listing-index.js';
import { createMemoryIndex } from './listing/memory-index.js';
import { createPostgresIndex } from './listing/postgres-index.js';
import { scanStore } from './listing/scan-store.js';
import { DEFAULT_DOCKER_HOST } from './preflight/ping-docker.js';
import { type Preflight, runPreflight } from './preflight/preflight.js';
import { type ApplyOptions, type ApplyResult, apply as applyPlan, fetchSavedPlan } from './runner/apply.js';
import { type DestroyResult, destroy as runDestroy } from './runner/destroy.js';
import { type OutputsOptions, type OutputValue, readOutputs } from './runner/outputs.js';
import { type PlanOptions, type PlanResult, plan as runPlan } from './runner/plan.js';
import type { PlanSummary } from './runner/plan-summary.js';
import type { RunContext } from './runner/run-context.js';
import { describeTofuFailure } from './runner/tofu-diagnostics.js';
import { type ConfigSealer, createConfigSealer } from './secrets/config-sealer.js';
import { type MasterKey, parseMasterKey } from './secrets/envelope.js';
import { makeOwnerOnly, mkdirPrivate, umaskKeepsOwnerOnly } from './secrets/owner-only.js';
import {
  assertStateEncryption,
  createStateDecrypter,
  renderEncryptionConfig,
  resolveStateEncryption,
  type StateEncryptionOptions,
  writeStateKeyFiles,
} from './secrets/state-encryption.js';
import * as networks from './service/network-config.js';
import * as services from './service/service-config.js';
import { probeConditionalWrites } from './store/conditional-writes.js';
import {
  assertTargetRef,
  describeTarget,
  isConfigOrSavedPlan,
  type TargetRef,
  targetPrefix,
} from './store/keys.js';
import { ObjectCache } from './store/object-cache.js';
import { readState, type StateJson } from './store/read-state.js';
import { createS3Store, type S3Store, type S3StoreOptions } from './store/s3-store.js';
import { findTofu, type TofuBinary } from './tofu/binary.js';
import { renderCliConfig } from './tofu/cli-config.js';
import { createRedactor } from './tofu/redact.js';
import { runTofu } from './tofu/run-tofu.js';
import { renderCredentialsFile } from './workdir/backend-config.js';
import { removeClearTfvars } from './workdir/prepare-workdir.js';
import { type ResolvedTarget, resolveTarget } from './workdir/resolve-target.js';

export interface EngineOptions {
  /** The S3 store holding configurations, state and history. */
  store: S3StoreOptions;
  /** Folder with `catalog.json` and the templates. */
  catalogDir: string;
  /** Folder the templates' module paths are relative to. */
  modulesDir: string;
  /** Local folder for the engine's own files: CLI config, plugin cache, credentials file, working directories. */
  dataDir: string;
  /** @default `<dataDir>/workdirs` */
  workdirRoot?: string;
  /** The binary; else `SPAWNIT_TOFU_BIN`, else `tofu` on PATH, else `terraform`. */
  tofuBin?: string;
  /** Keep tofu's ANSI colours in the output lines. @default false */
  color?: boolean;
  /** How long a run waits for the state lock. @default '30s' */
  lockTimeout?: string;
  /**
   * Use the S3 native lockfile for state locking. `auto` probes the store at start: the lockfile is used
   * when a `PUT` with `If-None-Match: *` on an existing key is refused, and a warning says so when it is not.
   * @default 'auto'
   */
  useLockfile?: boolean | 'auto';
  /** Extra environment for tofu and its providers (e.g. cloud credentials for AWS services). */
  providerEnv?: Record<string, string>;
  /** Grace period between the interrupt of a cancel and the kill. @default 30_000 */
  gracePeriodMs?: number;
  /**
   * Where tofu installs providers from instead of their registries: an absolute folder laid out as a
   * filesystem mirror, or an `https://` network mirror URL (`SPAWNIT_PROVIDER_MIRROR`). When set it is the only
   * source, as an air-gapped site needs. @default the providers' registries
   */
  providerMirror?: string;
  /**
   * Images that replace the ones the modules name (`SPAWNIT_IMAGE_MAP`), or a registry mirror prefixed to them
   * (`SPAWNIT_IMAGE_MIRROR`). @default none: the modules' official images
   */
  images?: ImageSubstitution;
  /**
   * The host address local services publish their ports on (`SPAWNIT_PUBLISH_IP`), e.g. `127.0.0.1` to keep
   * them on the Docker host. @default the modules' default, every address (`0.0.0.0`)
   */
  publishIp?: string;
  /**
   * OpenTofu's state and plan encryption (AES-GCM, enforced; a key derived once per passphrase, handed to
   * tofu by an `external` key provider reading it from `<data dir>/state-keys`), configured through `TF_ENCRYPTION`
   * (`SPAWNIT_STATE_PASSPHRASE`, `SPAWNIT_STATE_PASSPHRASE_PREVIOUS`). Terraform has no such feature: with
   * it, or without a passphrase, the engine warns that state is stored in clear.
   * @default none: states and plans in clear, with a warning
   */
  stateEncryption?: StateEncryptionOptions;
  /**
   * The master key `terraform.tfvars.json` objects are sealed with (`SPAWNIT_SECRETS_KEY`: 64 hex digits or
   * base64 of 32 bytes), and keys being rotated away from, still read (`SPAWNIT_SECRETS_KEY_PREVIOUS`).
   * @default none: configurations (secret parameters included) in clear, with a warning
   */
  secretsKey?: string;
  /** @default [] */
  previousSecretsKeys?: readonly string[];
  /**
   * Where listings (services, networks, statuses, jobs) are answered from; kept up to date on every write.
   * @default an in-process index, filled from one listing of the bucket by its first use
   */
  index?: ListingIndex;
  /**
   * A PostgreSQL database to keep the index in, shared by every process that uses it (SPAWNIT_DATABASE_URL);
   * filled from the bucket the first time. Ignored when `index` is given.
   */
  databaseUrl?: string;
  /**
   * This engine is the only writer of the bucket's configurations and saved plans (one SpawnIt process), so it
   * keeps in memory those it reads and writes: a run then reads its target's configuration, and an apply its
   * plan, without a round trip to S3.
   * @default true with the in-process index, false with `index` or `databaseUrl` (other processes write too)
   */
  soleWriter?: boolean;
}

/** A service is addressed by its owner and id; a network by owner, provider and name. */
export type ServiceRef = { clientId: string; serviceId: string };
export type NetworkRef = { clientId: string; provider: ProviderName; networkName: string };

export type { DestroyResult } from './runner/destroy.js';

export interface Engine {
  readonly tofu: TofuBinary;
  /** The engine's local folder (CLI config, plugin cache, working directories, kept states). */
  readonly dataDir: string;
  /** Whether runs lock their state with the S3 lockfile. */
  readonly useLockfile: boolean;
  /** What an operator must know about this setup (e.g. state locking is off). */
  readonly warnings: readonly string[];
  readonly store: S3Store;
  /** Listings without a read per object: services, networks, statuses, deployed flags, jobs. */
  readonly index: ListingIndex;
  readonly catalog: Catalog;
  reloadCatalog(): Promise<Catalog>;
  createService(input: services.CreateServiceInput): Promise<services.ServiceConfig>;
  updateService(ref: ServiceRef, params: unknown): Promise<services.ServiceConfig>;
  getService(ref: ServiceRef): Promise<services.ServiceConfig | undefined>;
  listServices(clientId: string): Promise<services.ServiceConfig[]>;
  deleteService(ref: ServiceRef): Promise<void>;
  createNetwork(input: networks.CreateNetworkInput): Promise<networks.NetworkConfig>;
  getNetwork(ref: NetworkRef): Promise<networks.NetworkConfig | undefined>;
  listNetworks(clientId: string): Promise<networks.NetworkConfig[]>;
  deleteNetwork(ref: NetworkRef): Promise<void>;
  /** The ids of a client's deployed services that sit on a network. */
  servicesOnNetwork(ref: NetworkRef): Promise<string[]>;
  isDeployed(ref: TargetRef | ServiceRef): Promise<boolean>;
  /** The target's state from S3, decrypted: resources and outputs (sensitive values included). */
  readState(ref: TargetRef | ServiceRef): Promise<StateJson | undefined>;
  /** Whether states and plans are encrypted (OpenTofu with a passphrase). */
  readonly stateEncrypted: boolean;
  /** Whether configurations are sealed with a master key. */
  readonly configSealed: boolean;
  /**
   * With `target`, the configuration a caller already started reading (a job reads it while it checks the
   * network); it must be `ref`'s.
   */
  plan(
    ref: TargetRef | ServiceRef,
    options?: PlanOptions & { target?: Promise<ResolvedTarget> },
  ): Promise<PlanResult>;
  apply(ref: TargetRef | ServiceRef, planId: string, options?: ApplyOptions): Promise<ApplyResult>;
  /** A destroy plan, then its apply. */
  destroy(ref: TargetRef | ServiceRef, options?: ApplyOptions): Promise<DestroyResult>;
  outputs(ref: TargetRef | ServiceRef, options?: OutputsOptions): Promise<OutputValue[]>;
  /** @internal for the operations layer */
  readonly runContext: RunContext;
  resolve(ref: TargetRef | ServiceRef): Promise<ResolvedTarget>;
  /** Checks what the engine runs with: the binary, where providers come from, whether Docker answers. */
  preflight(): Promise<Preflight>;
  /** Lets go of what the engine holds open (the database's connections). */
  close(): Promise<void>;
  /**
   * From now on every tofu command waits for `gate` before it starts, and does not start when it rejects: a
   * process that must confirm it still holds its bucket (see `acquireInstanceLease`).
   */
  gateRuns(gate: () => Promise<void>): void;
  /** The Docker engine tofu's docker provider reaches: `DOCKER_HOST` of its environment, else the default. */
  readonly dockerHost: string;
}

const READ_ONLY_COMMANDS = new Set(['show', 'output']);

// Cloud credentials in the engine's own environment must not override the state store's profile.
const STRIPPED_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];

export function toTargetRef(ref: TargetRef | ServiceRef): TargetRef {
  const target: TargetRef =
    'kind' in ref ? ref : { kind: 'service', clientId: ref.clientId, serviceId: ref.serviceId };
  assertTargetRef(target);
  return target;
}

/** Writes the CLI config the engine hands tofu: a plugin cache, no update checks, the provider mirror. */
async function writeCliConfig(dataDir: string, providerMirror: string | undefined): Promise<string> {
  const file = path.join(dataDir, 'tofu.tfrc');
  const pluginCacheDir = path.join(dataDir, 'plugin-cache');
  await mkdirPrivate(pluginCacheDir);
  await writeFile(file, renderCliConfig({ pluginCacheDir, providerMirror }), { mode: 0o600 });
  return file;
}

/**
 * Builds an engine: finds the binary, loads the catalog, writes the CLI config. Opens no port and starts
 * nothing in the background.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const dataDir = path.resolve(options.dataDir);
  const workdirRoot = path.resolve(options.workdirRoot ?? path.join(dataDir, 'workdirs'));
  const modulesDir = path.resolve(options.modulesDir);
  // Working directories hold tfvars with secrets, plans and kept states: the owner's only.
  await mkdirPrivate(dataDir);
  await mkdirPrivate(workdirRoot);
  await makeOwnerOnly(dataDir);
  if (!workdirRoot.startsWith(`${dataDir}${path.sep}`)) await makeOwnerOnly(workdirRoot);
  // Under a umask of 077 tofu writes owner-only files already: no walk of the working directory per run.
  const tightenAfterRuns = !umaskKeepsOwnerOnly();
  const soleWriter = options.soleWriter ?? (!options.index && !options.databaseUrl);
  const store = createS3Store(options.store, {
    cache: soleWriter ? new ObjectCache(isConfigOrSavedPlan) : undefined,
  });
  const probeLock = (options.useLockfile ?? 'auto') === 'auto';
  if (options.stateEncryption) assertStateEncryption(options.stateEncryption);
  // Independent waits, side by side: the binary's version, the catalog files, and the store's round trips.
  // Start time is their longest, not their sum.
  const [tofu, loadedCatalog, cliConfig, conditionalWrites] = await Promise.all([
    findTofu({ bin: options.tofuBin }),
    loadCatalog({ catalogDir: options.catalogDir, modulesDir }),
    writeCliConfig(dataDir, options.providerMirror),
    probeLock ? probeConditionalWrites(store) : undefined,
  ]);
  const masterKeys: MasterKey[] = [
    ...(options.secretsKey ? [parseMasterKey(options.secretsKey, 'SPAWNIT_SECRETS_KEY')] : []),
    ...(options.previousSecretsKeys ?? []).map((k) => parseMasterKey(k, 'SPAWNIT_SECRETS_KEY_PREVIOUS')),
  ];
  const sealer: ConfigSealer = createConfigSealer(masterKeys);
  const decryptState = createStateDecrypter(options.stateEncryption);
  let catalog = loadedCatalog;
  const warnings: string[] = [];
  let useLockfile = options.useLockfile === true;
  if (probeLock) {
    useLockfile = conditionalWrites === true;
    if (!useLockfile) {
      const warning = `The S3 store ${store.endpoint} (bucket "${store.bucket}") ignores conditional writes (If-None-Match), so tofu's S3 lockfile cannot lock state there: state locking is OFF and only SpawnIt's own one-run-per-target rule protects it. Do not run tofu by hand on these states; use MinIO or AWS S3 in production.`;
      warnings.push(warning);
      process.emitWarning(warning, { code: 'SPAWNIT_NO_STATE_LOCK' });
    }
  }
  const stateEncryption = options.stateEncryption;
  const stateEncrypted = tofu.name === 'tofu' && stateEncryption !== undefined;
  // The key derivation (600 000 PBKDF2 rounds: a third of a second of a core) is not waited for here but by
  // the first tofu run, so a start answers sooner; state reads derive the same key (memoized) when they need it.
  const encryptionConfig: Promise<string | undefined> = stateEncrypted
    ? resolveStateEncryption(stateEncryption).then(async (resolved) => {
        await writeStateKeyFiles(dataDir, resolved);
        return renderEncryptionConfig(resolved, dataDir);
      })
    : Promise.resolve(undefined);
  // A failure is the first run's to report, not an unhandled rejection now.
  encryptionConfig.catch(() => undefined);
  if (!stateEncrypted) {
    const warning =
      tofu.name === 'terraform'
        ? `${tofu.path} is Terraform, which cannot encrypt state or plans: states and saved plans in S3 hold secrets (passwords, outputs) in clear. Use OpenTofu with SPAWNIT_STATE_PASSPHRASE to encrypt them.`
        : 'SPAWNIT_STATE_PASSPHRASE is not set: states and saved plans in S3 hold secrets (passwords, outputs) in clear. Set a passphrase of at least 16 characters to encrypt them.';
    warnings.push(warning);
    process.emitWarning(warning, { code: 'SPAWNIT_STATE_NOT_ENCRYPTED' });
  }
  if (!sealer.sealing) {
    const warning =
      'SPAWNIT_SECRETS_KEY is not set: secret parameters are stored in clear in terraform.tfvars.json in S3. Set a 256-bit key ("openssl rand -base64 32") to encrypt them.';
    warnings.push(warning);
    process.emitWarning(warning, { code: 'SPAWNIT_CONFIG_NOT_ENCRYPTED' });
  }
  let credentialsFile: string | undefined;
  if (options.store.accessKeyId && options.store.secretAccessKey) {
    credentialsFile = path.join(dataDir, 's3-credentials');
    await writeFile(
      credentialsFile,
      renderCredentialsFile(options.store.accessKeyId, options.store.secretAccessKey),
      {
        mode: 0o600,
      },
    );
    await chmod(credentialsFile, 0o600);
  }
  const baseEnv: Record<string, string | undefined> = { ...process.env };
  for (const name of STRIPPED_ENV) delete baseEnv[name];
  const env = {
    ...baseEnv,
    ...options.providerEnv,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_CLI_CONFIG_FILE: cliConfig,
  };

  const deps = () => ({ store, catalog, conditionalWrites: useLockfile, sealer, decryptState });
  const resolve = (ref: TargetRef | ServiceRef) =>
    resolveTarget({ store, catalog, modulesDir, workdirRoot, sealer }, toTargetRef(ref));
  const load = () => scanStore(deps());
  const index =
    options.index ??
    (options.databaseUrl
      ? await createPostgresIndex({ connectionString: options.databaseUrl, load })
      : createMemoryIndex({ load }));
  let runGate: (() => Promise<void>) | undefined;
  const runContext: RunContext = {
    index,
    tofu,
    store,
    workdirRoot,
    modulesDir,
    colorArgs: options.color ? [] : ['-no-color'],
    useLockfile,
    credentialsFile,
    lockTimeout: options.lockTimeout ?? '30s',
    platform: {
      images: options.images ?? NO_IMAGE_SUBSTITUTION,
      publishIp: parsePublishIp(options.publishIp),
    },
    async run(args, runOptions) {
      const redact = createRedactor(runOptions.redact);
      // Through the environment, so no file in the working directory names the keys; they stay in state-keys/.
      const encryption = await encryptionConfig;
      await runOptions.ready;
      await runGate?.();
      const result = await runTofu(tofu.path, args, {
        cwd: runOptions.cwd,
        env: encryption ? { ...env, TF_ENCRYPTION: encryption } : env,
        signal: runOptions.signal,
        forceSignal: runOptions.forceSignal,
        onSpawn: runOptions.onSpawn,
        input: runOptions.input,
        gracePeriodMs: options.gracePeriodMs,
        onLine:
          runOptions.onLine || runOptions.onStdout
            ? (line, stream) => {
                if (stream === 'stdout') runOptions.onStdout?.(line);
                runOptions.onLine?.(redact(line));
              }
            : undefined,
      });
      if (tightenAfterRuns) {
        // tofu writes with the process umask: plans, errored.tfstate and .terraform/ go back to owner-only.
        // `show` and `output` only read: nothing to walk.
        if (!READ_ONLY_COMMANDS.has(args[0]!)) await makeOwnerOnly(runOptions.cwd);
        // init may have put new providers into the cache: still executable, by the owner only.
        if (args[0] === 'init') await makeOwnerOnly(path.join(dataDir, 'plugin-cache'));
      }
      return { ...result, lines: result.lines.map(redact) };
    },
    decryptState,
    // One sentence from tofu's diagnostics (or a known failure explained), never its box-drawing and code lines.
    lastLines: describeTofuFailure,
  };

  /** After an apply (whatever its end), the state says whether anything is deployed: the index follows it. */
  async function refreshDeployed(ref: TargetRef | ServiceRef): Promise<void> {
    const target = toTargetRef(ref);
    let state: StateJson | undefined;
    try {
      state = await readState(deps(), target);
    } catch {
      return; // S3 or the key failed us: the next apply, or the next start's scan, sets it.
    }
    await index.setDeployed(target, services.holdsResources(state));
  }
  /**
   * After an apply that succeeded, what it did says whether anything is deployed, without reading the state
   * back: a destroy leaves nothing, a plan that creates leaves something, one that deletes nothing leaves
   * what was there. Anything else (a failure, deletes beside what was there) reads the state.
   */
  async function followApply(
    ref: TargetRef | ServiceRef,
    applied: { destroy: boolean; summary: PlanSummary } | undefined,
  ): Promise<void> {
    const target = toTargetRef(ref);
    let deployed: boolean | undefined;
    if (applied?.destroy) deployed = false;
    else if (applied && applied.summary.add > 0) deployed = true;
    else if (applied?.summary.destroy === 0 && (await index.deployed([target]))[0]) deployed = true;
    if (deployed === undefined) return refreshDeployed(ref);
    await index.setDeployed(target, deployed);
  }

  const engine: Engine = {
    tofu,
    dataDir,
    useLockfile,
    warnings,
    store,
    index,
    stateEncrypted,
    configSealed: sealer.sealing,
    get catalog() {
      return catalog;
    },
    runContext,
    resolve,
    preflight: () => runPreflight({ tofu, providerMirror: options.providerMirror, env }),
    close: async () => index.close?.(),
    gateRuns(gate) {
      runGate = gate;
    },
    dockerHost: options.providerEnv?.DOCKER_HOST || baseEnv.DOCKER_HOST || DEFAULT_DOCKER_HOST,
    async reloadCatalog() {
      catalog = await loadCatalog({ catalogDir: options.catalogDir, modulesDir });
      return catalog;
    },
    async createService(input) {
      const service = await services.createService(deps(), input);
      await index.putService(withoutParams(service));
      return service;
    },
    async updateService(ref, params) {
      const service = await services.updateService(deps(), ref.clientId, ref.serviceId, params);
      await index.putService(withoutParams(service));
      return service;
    },
    getService: (ref) => services.getService(deps(), checked(ref).clientId, ref.serviceId),
    listServices: (clientId) => services.listServices(deps(), clientId),
    async deleteService(ref) {
      await services.deleteService(deps(), checked(ref).clientId, ref.serviceId);
      await index.removeTarget(toTargetRef(ref));
    },
    async createNetwork(input) {
      const network = await networks.createNetwork(deps(), input);
      await index.putNetwork(withoutParams(network));
      return network;
    },
    getNetwork: (ref) => {
      toTargetRef({ kind: 'network', ...ref });
      return networks.getNetwork(deps(), ref.clientId, ref.provider, ref.networkName);
    },
    listNetworks: (clientId) => networks.listNetworks(deps(), clientId),
    async deleteNetwork(ref) {
      const target = toTargetRef({ kind: 'network', ...ref });
      await networks.deleteNetwork(deps(), target as Extract<TargetRef, { kind: 'network' }>);
      await index.removeTarget(target);
    },
    servicesOnNetwork: (ref) => {
      const target = toTargetRef({ kind: 'network', ...ref });
      return networks.servicesOnNetwork(deps(), target as Extract<TargetRef, { kind: 'network' }>);
    },
    isDeployed: (ref) => services.isDeployed(deps(), toTargetRef(ref)),
    readState: (ref) => readState(deps(), toTargetRef(ref)),
    async plan(ref, { target: started, ...planOptions } = {}) {
      const target = await (started ?? resolve(ref));
      if (targetPrefix(target.ref) !== targetPrefix(toTargetRef(ref))) {
        throw new Error(
          `plan of ${describeTarget(toTargetRef(ref))} given the configuration of ${target.description}`,
        );
      }
      return scrubbed(target, () => runPlan(runContext, target, planOptions));
    },
    async apply(ref, planId, applyOptions) {
      // The saved plan's record and file are read while the target is.
      const fetched = fetchSavedPlan(runContext, toTargetRef(ref), planId);
      const target = await resolve(ref);
      let applied: ApplyResult | undefined;
      try {
        applied = await scrubbed(target, () => applyPlan(runContext, target, planId, applyOptions, fetched));
        return applied;
      } finally {
        await followApply(ref, applied);
      }
    },
    async destroy(ref, applyOptions = {}) {
      const target = await resolve(ref);
      let result: DestroyResult | undefined;
      try {
        result = await scrubbed(target, () => runDestroy(runContext, target, applyOptions));
        return result;
      } finally {
        // Nothing to destroy is as good as destroyed; a failed destroy plan says nothing.
        const nothingLeft =
          result?.applied ?? (result?.plan.status === 'compliant' ? result.plan : undefined);
        await followApply(ref, nothingLeft && { destroy: true, summary: nothingLeft.summary! });
      }
    },
    async outputs(ref, outputsOptions) {
      const target = await resolve(ref);
      return scrubbed(target, () => readOutputs(runContext, target, outputsOptions));
    },
  };
  return engine;
}

/** Runs a step, then takes the clear tfvars out of the working directory, whatever happened. */
async function scrubbed<T>(target: ResolvedTarget, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } finally {
    await removeClearTfvars(target.workdir);
  }
}

/** Validates a service's ids before they reach a key or a path. */
function checked(ref: ServiceRef): ServiceRef {
  toTargetRef(ref);
  return ref;
}
