// Throughput of the queue: N plan jobs on N different fixture services asked at once, time until the last one
// ends, with 1, 2 then 3 workers of the PostgreSQL mode (each an engine of its own with its own data folder,
// as separate machines; same database and S3), next to the same N plans in the one-process mode (one
// process, no limit on runs at once). Each set-up is fresh (its own data folders) and drains two rounds: the
// first runs `init` in every working directory it touches, the second finds them ready where the same
// worker takes the same service again.
//   npx --yes pnpm@10.34.8 bench:queue-throughput [jobs] [runs-per-worker]
import {
  createDistributedOperations,
  createOperations,
  type DistributedWorker,
  type Engine,
  type Operations,
  startDistributedWorker,
  type TargetRef,
} from '@spawnit/engine';
import { startPostgres } from '../tests/support/postgres.js';
import { benchEngine } from './support.js';

const count = Number(process.argv[2] ?? 24);
const concurrency = Number(process.argv[3] ?? 1);
const clientId = 'bench';
const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
const services: TargetRef[] = Array.from({ length: count }, (_, i) => ({
  kind: 'service',
  clientId,
  serviceId: `svc-${String(i).padStart(3, '0')}`,
}));

const { engine, reopen, close } = await benchEngine();
const pg = await startPostgres();
try {
  await engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  await engine.apply(network, (await engine.plan(network)).planId);
  for (const service of services) {
    if (service.kind !== 'service') continue;
    await engine.createService({
      clientId,
      serviceId: service.serviceId,
      templateId: 'echo',
      provider: 'local',
      networkName: 'default',
      params: { message: service.serviceId },
    });
  }

  /** Asks for every plan at once, then waits for all: seconds from the first ask to the last end. */
  const drain = async (operations: Operations) => {
    const t = performance.now();
    const asked = await Promise.all(services.map((service) => operations.plan(service)));
    const ended = await Promise.all(asked.map((job) => operations.waitForJob(clientId, job.id)));
    const seconds = (performance.now() - t) / 1000;
    const failed = ended.filter((job) => job.state !== 'succeeded');
    if (failed.length > 0) {
      throw new Error(`${failed.length} plan jobs did not succeed, the first: ${failed[0]!.error}`);
    }
    return seconds;
  };

  let setup = 0;
  const rows: { name: string; rounds: number[] }[] = [];
  {
    const local = await reopen({ dataDir: `set-up-${setup++}` });
    const operations = createOperations({ engine: local });
    try {
      rows.push({ name: 'one process', rounds: [await drain(operations), await drain(operations)] });
    } finally {
      await operations.shutdown();
    }
  }
  for (const workerCount of [1, 2, 3]) {
    const engines: Engine[] = [];
    const workers: DistributedWorker[] = [];
    const open = async () => {
      const opened = await reopen({ databaseUrl: pg.url, dataDir: `set-up-${setup++}` });
      engines.push(opened);
      return opened;
    };
    const api = await createDistributedOperations({ engine: await open(), databaseUrl: pg.url });
    try {
      for (let i = 0; i < workerCount; i += 1) {
        const id = `w${workerCount}-${i}`;
        workers.push(
          await startDistributedWorker({ engine: await open(), databaseUrl: pg.url, id, concurrency }),
        );
      }
      rows.push({
        name: `${workerCount} worker${workerCount > 1 ? 's' : ''} x ${concurrency}`,
        rounds: [await drain(api), await drain(api)],
      });
    } finally {
      for (const worker of workers) await worker.stop();
      await api.shutdown();
      for (const opened of engines) await opened.close();
    }
  }

  const base = rows[0]!.rounds;
  console.log(
    `${count} plan jobs on ${count} services asked at once, seconds to drain (${engine.tofu.name} ${engine.tofu.version}, ${concurrency} run(s) at once per worker):`,
  );
  console.log(
    `  ${'set-up'.padEnd(16)} ${'round 1 (init)'.padStart(15)} ${'ratio'.padStart(6)} ${'round 2'.padStart(9)} ${'ratio'.padStart(6)} ${'jobs/s (2)'.padStart(11)}`,
  );
  for (const { name, rounds } of rows) {
    const [first, second] = rounds as [number, number];
    console.log(
      `  ${name.padEnd(16)} ${`${first.toFixed(1)} s`.padStart(15)} ${`${(first / base[0]!).toFixed(2)}x`.padStart(6)} ${`${second.toFixed(1)} s`.padStart(9)} ${`${(second / base[1]!).toFixed(2)}x`.padStart(6)} ${(count / second).toFixed(2).padStart(11)}`,
    );
  }
  console.log('  ratio: next to the one-process mode (no limit on runs at once) in the same round');
} finally {
  await pg.close();
  await close();
}
