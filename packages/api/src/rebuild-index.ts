/**
 * `pnpm index:rebuild`: throws the PostgreSQL index away and reads it again from S3, the source of truth
 * (configurations, states, statuses, job records). For a database lost or restored from an older backup;
 * the API processes and workers may keep running meanwhile (their writes during the read win).
 */
import { createEngine, type PostgresIndex } from '@spawnit/engine';
import { ConfigError, loadConfig } from './config.js';

async function rebuild(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (!config.databaseUrl || config.s3.mode !== 'external') {
    process.stderr.write(
      'index:rebuild needs SPAWNIT_DATABASE_URL and the shared S3 (SPAWNIT_S3_*): the one-process mode keeps its index in memory and reads S3 at every start.\n',
    );
    return 2;
  }
  const { mode: _mode, createBucket: _create, ...store } = config.s3;
  const engine = await createEngine({
    store,
    catalogDir: config.catalogDir,
    modulesDir: config.modulesDir,
    dataDir: `${config.dataDir}/engine`,
    tofuBin: config.tofuBin,
    stateEncryption: config.stateEncryption,
    secretsKey: config.secretsKey,
    previousSecretsKeys: config.previousSecretsKeys,
    databaseUrl: config.databaseUrl,
  });
  try {
    const started = performance.now();
    await (engine.index as PostgresIndex).rebuild();
    const clients = await engine.index.clients();
    let services = 0;
    let jobs = 0;
    for (const clientId of clients) {
      services += (await engine.index.listServices(clientId)).length;
      jobs += (await engine.index.listJobs(clientId)).length;
    }
    process.stdout.write(
      `Index rebuilt from S3 in ${((performance.now() - started) / 1000).toFixed(1)} s: ${clients.length} client(s), ${services} service(s), ${jobs} job(s).\n`,
    );
    return 0;
  } finally {
    await engine.close();
  }
}

rebuild().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Cannot rebuild the index: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
