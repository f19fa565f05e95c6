/**
 * One SpawnIt process, as its entry point says: `pnpm start` (main.ts) runs everything on the embedded defaults
 * (S3 and OIDC on loopback, data in `.data/`), or on MinIO / AWS S3 and Keycloak when configured (see README);
 * with a database, `pnpm api` (main-api.ts) answers GraphQL and `pnpm worker` (main-worker.ts) runs tofu.
 * Stops gracefully on SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { S3StoreOptions } from '@spawnit/engine';
import { PNPM } from './commands.js';
import { type ApiConfig, ConfigError, type EntryRole, loadConfig } from './config.js';
import { assertPortFree, ensureEmbeddedSecretKeys, startEmbeddedServers } from './embedded-defaults.js';
import { isWebBuilt, WEB_DIST_DIR, webClientIdOf, webRedirectUris } from './serve-web.js';

const log = (message: string) => process.stdout.write(`[spawnit] ${message}\n`);
const warn = (message: string) => process.stderr.write(`[spawnit] WARNING: ${message}\n`);

/** Stops what was started, last first; each step may fail without skipping the others. */
const stoppers: { name: string; stop: () => Promise<unknown> }[] = [];

/**
 * The API keeps a small live heap (about 55 MB at 1,000 services) and makes much short-lived garbage (each drift
 * plan's output): by default V8 lets the old generation grow to 3-4x the live set before collecting, which put
 * the process over 300 MiB; at 1.5x it stays near 200 MiB, for major collections of a few ms. Measured by
 * bench/memory.ts. A value given to node (NODE_OPTIONS or the command line) wins.
 */
function keepHeapNearLiveSize(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  if (!/heap[-_]growing[-_]percent/.test(given)) setFlagsFromString('--heap-growing-percent=50');
}

async function main(entry: EntryRole | undefined): Promise<void> {
  keepHeapNearLiveSize();
  const envFile = path.join(process.cwd(), '.env');
  if (existsSync(envFile)) {
    // Variables already in the environment win over the file.
    process.loadEnvFile(envFile);
    log(`Read settings from ${envFile}.`);
  }
  let config: ApiConfig;
  try {
    config = loadConfig(process.env, undefined, entry);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee packages/api/README.md for the variables.\n`);
      process.exit(2);
    }
    throw error;
  }
  // The data folder holds working directories, the embedded S3's objects and the keys: the owner's only.
  // The umask covers what this process and its children (tofu, the embedded servers) write from now on; the
  // folder's own 0700 shuts others out of what is already in it, tightened file by file once the API answers.
  process.umask(0o077);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await chmod(config.dataDir, 0o700);
  if (config.port !== 0) await assertPortFree(config.port, 'PORT', config.host);

  // The embedded servers start side by side (neither needs the other), in a worker thread of their own.
  const embeddedOptions = {
    dataDir: config.dataDir,
    s3: config.s3.mode === 'embedded' ? { port: config.s3.port, bucket: config.s3.bucket } : undefined,
    // A worker answers no HTTP: it has no use for a sign-in.
    oidc:
      config.oidc.mode === 'embedded' && config.role !== 'worker'
        ? {
            port: config.oidc.port,
            audience: config.oidc.audience,
            rolesClaim: config.rolesClaim,
            webRedirectUris: webRedirectUris(config.port),
          }
        : undefined,
  };
  const embeddedStarting =
    embeddedOptions.s3 || embeddedOptions.oidc ? startEmbeddedServers(embeddedOptions) : undefined;
  // The engine and the API are loaded while the worker loads and starts the embedded servers: two cores at once.
  const [
    {
      acquireInstanceLease,
      createDistributedDriftLag,
      createDistributedOperations,
      createDriftLoop,
      createEngine,
      createOperations,
      createS3Store,
      describePreflight,
      makeOwnerOnly,
      startDistributedWorker,
    },
    { buildApp },
    { createTokenVerifier },
  ] = await Promise.all([
    import('@spawnit/engine'),
    import('./app.js'),
    import('./auth/verify-token.js'),
    // Settled here, awaited below: a failed start is not an unhandled rejection while the imports run.
    embeddedStarting?.catch(() => undefined),
  ]);
  const embedded = await embeddedStarting;
  if (embedded) {
    stoppers.push({
      name: [embedded.s3 && 'S3 server', embedded.oidc && 'OIDC provider'].filter(Boolean).join(' and '),
      stop: () => embedded.stop(),
    });
  }
  const embeddedS3 = embedded?.s3;
  const embeddedOidc = embedded?.oidc;

  let store: S3StoreOptions;
  if (config.s3.mode === 'embedded') {
    const s3 = embeddedS3!;
    store = s3.store;
    log(
      `Embedded S3 server: ${s3.endpoint} (bucket "${config.s3.bucket}", data in ${path.join(config.dataDir, 's3')})`,
    );
  } else {
    const { mode: _, createBucket, ...external } = config.s3;
    store = external;
    log(`S3: ${config.s3.endpoint ?? `AWS S3 (${config.s3.region})`}, bucket "${config.s3.bucket}"`);
    // Before the engine starts: its first act is a probe write into the bucket.
    if (createBucket && (await createS3Store(external).check({ createBucket })).created) {
      log(`Created the bucket "${config.s3.bucket}" (SPAWNIT_S3_CREATE_BUCKET=true).`);
    }
  }

  let issuer: string;
  let jwksUrl: string | undefined;
  let firstUsers: { username: string; password: string; roles: string[] }[] = [];
  let passwordsFile: string | undefined;
  if (config.oidc.mode === 'embedded' && embeddedOidc) {
    const oidc = embeddedOidc;
    issuer = oidc.issuer;
    firstUsers = oidc.createdUsers;
    passwordsFile = oidc.passwordsFile;
  } else if (config.oidc.mode === 'external') {
    issuer = config.oidc.issuer;
    jwksUrl = config.oidc.jwksUrl;
  } else {
    issuer = 'none (a worker)';
  }

  // On the embedded defaults nothing is configured: keys are generated once, kept beside the data.
  let secretKeysNote: string | undefined;
  let { stateEncryption, secretsKey } = config;
  if (config.s3.mode === 'embedded' && (!stateEncryption || !secretsKey)) {
    const generated = await ensureEmbeddedSecretKeys(config.dataDir);
    stateEncryption ??= { passphrase: generated.statePassphrase };
    secretsKey ??= generated.secretsKey;
    secretKeysNote = `${generated.created ? 'generated now, kept' : 'kept'} in ${generated.file} (0600; back it up: without it the states cannot be read)`;
  }

  const engine = await createEngine({
    store,
    catalogDir: config.catalogDir,
    modulesDir: config.modulesDir,
    dataDir: path.join(config.dataDir, 'engine'),
    tofuBin: config.tofuBin,
    // The log keeps tofu's colours for the UI; the API's LogLine.text strips them for everyone else.
    color: true,
    providerEnv: config.providerEnv,
    providerMirror: config.providerMirror,
    images: config.images,
    publishIp: config.publishIp,
    stateEncryption,
    secretsKey,
    previousSecretsKeys: config.previousSecretsKeys,
    databaseUrl: config.databaseUrl,
  });
  stoppers.push({ name: 'engine', stop: () => engine.close() });
  await engine.store.check();
  for (const problem of engine.catalog.problems) warn(`Catalog: ${problem.file}: ${problem.message}`);
  for (const warning of engine.warnings) warn(warning);
  // A missing part (Docker, say) is a warning: the API still starts, and the UI shows it.
  const preflight = await engine.preflight();
  for (const warning of preflight.warnings) warn(warning);

  const { databaseUrl } = config;
  if (!databaseUrl) {
    // Without a database this process is the bucket's only writer (its index, its cached configurations, its
    // recovery of unfinished jobs trust that): a second one on the same bucket is refused before it touches a job.
    const lease = await acquireInstanceLease({
      store: engine.store,
      conditionalWrites: engine.useLockfile,
      onWait: (holder, waitMs) =>
        log(
          `Bucket "${engine.store.bucket}" is held by another SpawnIt (pid ${holder.pid} on host "${holder.host}", started at ${holder.startedAt}): watching its lease for up to ${waitMs / 1000} s to see whether it still runs...`,
        ),
      onLost: (holder) => {
        warn(
          `Another SpawnIt${holder ? ` (pid ${holder.pid} on host "${holder.host}")` : ''} took bucket "${engine.store.bucket}" after this process could not renew its lease in time: stopping, so the two do not run the same services.`,
        );
        void shutdown('Lease lost', 1);
      },
      onError: (error) =>
        warn(`Could not renew this process's lease on the bucket: ${(error as Error).message}`),
    });
    stoppers.push({ name: 'bucket lease', stop: () => lease.release() });
    // A process frozen past its renewals (a paused VM, SIGSTOP) may have lost the bucket: each tofu command
    // confirms the lease first, so a taken one never runs beside its successor's.
    engine.gateRuns(() => lease.held());
  }
  const operations = databaseUrl
    ? await createDistributedOperations({
        engine,
        databaseUrl,
        maxQueuedPerTarget: config.maxQueuedJobsPerTarget,
      })
    : createOperations({ engine, maxQueuedPerTarget: config.maxQueuedJobsPerTarget });
  operations.events.subscribe('warning', (message) => warn(message));
  operations.events.subscribe('lockFound', ({ target, lock, jobId }) =>
    warn(
      `State lock ${lock.id} left on ${target.kind} ${target.kind === 'service' ? target.serviceId : target.networkName} of client ${target.clientId}${jobId ? ` by job ${jobId}` : ''}.`,
    ),
  );
  const recovered = await operations.recover();
  if (recovered.length > 0) {
    log(
      `Recovered ${recovered.length} job(s) a previous run left unfinished: ${recovered.map((j) => `${j.id} (${j.kind}, now ${j.state})`).join(', ')}`,
    );
  } else {
    log('Recovery: no unfinished job from a previous run.');
  }
  stoppers.push({ name: 'jobs', stop: () => operations.shutdown() });
  if (databaseUrl && config.role !== 'api') {
    const worker = await startDistributedWorker({
      engine,
      databaseUrl,
      concurrency: config.workerConcurrency,
      driftIntervalMs: config.driftIntervalMs,
    });
    stoppers.push({ name: 'worker', stop: () => worker.stop() });
    log(`Worker ${worker.id}: takes up to ${config.workerConcurrency} run(s) at once from PostgreSQL.`);
  }
  // A walk of every file kept (thousands at scale): once the process does its work, not before.
  const tightenDataDir = () =>
    makeOwnerOnly(config.dataDir).catch((error: unknown) =>
      warn(`Could not tighten the permissions under ${config.dataDir}: ${(error as Error).message}`),
    );
  if (config.role === 'worker') {
    tightenDataDir();
    log(
      `SpawnIt worker ready in ${process.uptime().toFixed(1)} s (${engine.tofu.name} ${engine.tofu.version}).`,
    );
    return;
  }
  // The listing index fills from S3 in the background, so the first listing after a start rarely waits for it.
  const indexStarted = performance.now();
  void engine.index.clients().then(
    (clients) =>
      log(
        `Index: ${clients.length} client(s) listed from S3 in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s.`,
      ),
    (error: unknown) =>
      warn(`Index: could not list S3 yet (${(error as Error).message}); the next listing tries again.`),
  );

  // With a database, drift checks are queued work the workers share (decision 0008), not this loop.
  const drift =
    config.driftIntervalMs > 0 && !databaseUrl
      ? createDriftLoop({
          engine,
          operations,
          intervalMs: config.driftIntervalMs,
          onError: (error) => warn(`Drift loop: ${(error as Error).message}`),
        })
      : undefined;
  if (drift) stoppers.push({ name: 'drift loop', stop: () => drift.stop() });
  // With a database, the lag comes from when the workers last started each check, whoever reads it.
  const workersLag =
    config.driftIntervalMs > 0 && databaseUrl
      ? await createDistributedDriftLag({ engine, databaseUrl, intervalMs: config.driftIntervalMs })
      : undefined;
  if (workersLag) stoppers.push({ name: 'drift lag', stop: () => workersLag.close() });

  const verifier = createTokenVerifier({
    issuer,
    audience: config.oidc.audience,
    jwksUrl,
    rolesClaim: config.rolesClaim,
    adminRole: config.adminRole,
  });
  const app = buildApp({
    engine,
    operations,
    drift: drift ?? workersLag,
    verifier,
    development: config.development,
    host: config.host,
    port: config.port,
    corsOrigins: config.corsOrigins,
    maxBodyBytes: config.maxBodyBytes,
    subscriptionLimits: {
      perUser: config.maxSubscriptionsPerUser,
      perSocket: config.maxSubscriptionsPerSocket,
    },
    operationTimeoutMs: config.operationTimeoutMs,
    web: {
      distDir: WEB_DIST_DIR,
      iconsDir: path.join(config.catalogDir, 'icons'),
      config: {
        apiUrl: '/graphql',
        oidc: { issuer, clientId: config.oidc.mode === 'embedded' ? 'spawnit-web' : webClientIdOf() },
      },
    },
  });
  const { url } = await app.start();
  stoppers.push({ name: 'API', stop: () => app.stop() });
  drift?.start();
  tightenDataDir();

  const lines = [
    '',
    `SpawnIt API ready in ${(process.uptime()).toFixed(1)} s (${engine.tofu.name} ${engine.tofu.version}, catalog: ${engine.catalog.templates.length} templates)`,
    // The backend image ships without the UI (the frontend image serves it): not worth a warning.
    isWebBuilt(WEB_DIST_DIR)
      ? `  Web UI:    ${url.replace(/\/graphql$/, '/')}`
      : `  Web UI:    not built (${WEB_DIST_DIR}); \`pnpm install\` builds it`,
    config.development
      ? `  GraphiQL:  ${url}`
      : `  GraphQL:   ${url} (production: no GraphiQL, no introspection)`,
    `  Health:    ${url.replace(/\/graphql$/, '/health')}`,
    `  Issuer:    ${issuer}${config.oidc.mode === 'embedded' ? ' (embedded OIDC provider, login page included)' : ''}`,
    `  Drift:     ${
      drift
        ? `every ${config.driftIntervalMs / 1000} s, and at once on container events of ${engine.dockerHost}`
        : databaseUrl && config.driftIntervalMs > 0
          ? `every ${config.driftIntervalMs / 1000} s and at once on container events of ${engine.dockerHost}, checks queued in PostgreSQL and run by the workers`
          : 'off'
    }`,
    `  Secrets:   state and plans ${engine.stateEncrypted ? 'encrypted (OpenTofu, pbkdf2 + AES-GCM)' : 'NOT encrypted'}, secret parameters ${engine.configSealed ? 'encrypted (AES-256-GCM envelopes)' : 'NOT encrypted'}`,
    ...(secretKeysNote ? [`  Keys:      ${secretKeysNote}`] : []),
    ...describePreflight(preflight).map((line) => `  ${line}`),
  ];
  if (firstUsers.length > 0) {
    lines.push(
      '',
      '  Default users, created now (passwords shown once, kept in a 0600 file for the token command):',
    );
    for (const user of firstUsers) {
      lines.push(
        `    ${user.username.padEnd(6)} ${user.password}${user.roles.length ? `   roles: ${user.roles.join(', ')}` : ''}`,
      );
    }
    lines.push(`  Kept in ${passwordsFile}`);
  } else if (config.oidc.mode === 'embedded') {
    lines.push(`  Users:     admin, alice, bob (passwords from the first start, in ${passwordsFile})`);
  }
  lines.push(
    '',
    `  Token:     ${PNPM} -s token alice`,
    `  Try:       curl -s ${url} -H "Authorization: Bearer $(${PNPM} -s token alice)" -H 'content-type: application/json' -d '{"query":"{ me { clientId username } }"}'`,
    '',
  );
  log(lines.join('\n'));
}

let stopping = false;
async function shutdown(signal: string, exitCode = 0): Promise<void> {
  if (stopping) {
    warn(`${signal} again: exiting now.`);
    process.exit(1);
  }
  stopping = true;
  log(
    `${signal}: stopping (running jobs get one interrupt to save their state; ${signal} again to force)...`,
  );
  for (const { name, stop } of stoppers.reverse()) {
    try {
      await stop();
    } catch (error) {
      warn(`Stopping the ${name} failed: ${(error as Error).message}`);
    }
  }
  log('Stopped.');
  process.exit(exitCode);
}

/**
 * Starts this process as `entry` says (an API process, a worker), or as SPAWNIT_ROLE says (everything by
 * default), and stops it on SIGINT/SIGTERM. Exits 2 on a configuration it cannot run, 1 when a start fails.
 */
export function startSpawnit(entry?: EntryRole): void {
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  main(entry).catch(async (error: unknown) => {
    process.stderr.write(`[spawnit] Cannot start: ${(error as Error).message}\n`);
    for (const { stop } of stoppers.reverse()) await stop().catch(() => undefined);
    process.exit(1);
  });
}
