import { createEngine, createOperations, type Engine, type TargetRef } from '@spawnit/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineHarness, startEngine, TEST_SECRETS } from '../support/engine.js';
import { FIXTURE_CATALOG, FIXTURE_MODULES } from '../support/paths.js';

// The listing index is rebuilt from S3 by each start: one listing, then only the objects that changed.

let h: EngineHarness;
const clientId = 'erin';
const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
const service = (serviceId: string): TargetRef => ({ kind: 'service', clientId, serviceId });

/** A new engine on the same bucket and folder, as after a restart, counting its reads of objects. */
async function restart(): Promise<{ engine: Engine; reads: string[] }> {
  const engine = await createEngine({
    store: {
      endpoint: h.s3.endpoint,
      bucket: h.s3.bucket,
      accessKeyId: h.s3.accessKeyId,
      secretAccessKey: h.s3.secretAccessKey,
    },
    catalogDir: FIXTURE_CATALOG,
    modulesDir: FIXTURE_MODULES,
    dataDir: h.dataDir,
    ...TEST_SECRETS,
  });
  const reads: string[] = [];
  const store = engine.store as unknown as Record<string, (key: string) => Promise<unknown>>;
  for (const method of ['get', 'getJson']) {
    const read = store[method]!.bind(store);
    store[method] = (key) => {
      reads.push(key);
      return read(key);
    };
  }
  return { engine, reads };
}

/** Everything the listings show of the client, as JSON (what S3 and the API carry), to compare two indexes. */
async function listingsOf(engine: Engine) {
  const services = await engine.index.listServices(clientId);
  const targets = [network, ...services.map((s) => service(s.serviceId))];
  const json = JSON.stringify({
    services,
    networks: await engine.index.listNetworks(clientId),
    deployed: await engine.index.deployed(targets),
    // A status keeps its diff (attribute values) in memory only: S3, and so a rebuilt index, has it without.
    statuses: JSON.parse(
      JSON.stringify(await engine.index.statuses(services), (key, value) =>
        key === 'attributes' ? undefined : value,
      ),
    ),
    jobs: await engine.index.listJobs(clientId),
    lastPlans: (await engine.index.lastPlans(targets)).map((job) => job ?? null),
    statusList: (await engine.index.statuses(services)).map((status) => status?.status ?? null),
  });
  // To the millisecond: a configuration carries its write time (`updated-at`), not the object's, which S3 keeps
  // to the second and the file system's coarse clock can put a second earlier.
  return JSON.parse(json);
}

beforeAll(async () => {
  h = await startEngine();
  const ops = createOperations({ engine: h.engine });
  await h.engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  const plan = await ops.waitForJob(clientId, (await ops.plan(network)).id);
  expect((await ops.waitForJob(clientId, (await ops.apply(network, plan.id)).id)).state).toBe('succeeded');
  for (const id of ['one', 'two', 'three']) {
    await h.engine.createService({
      clientId,
      serviceId: id,
      templateId: 'echo',
      provider: 'local',
      networkName: 'default',
      params: { message: id },
    });
  }
  expect((await ops.waitForJob(clientId, (await ops.plan(service('one'))).id)).state).toBe('succeeded');
  await ops.shutdown();
});
afterAll(async () => {
  await h?.close();
});

describe('the listing index after a restart', () => {
  it('lists what the first engine listed', async () => {
    const before = await listingsOf(h.engine);
    expect(before.services.map((s: { serviceId: string }) => s.serviceId)).toEqual(['one', 'three', 'two']);
    expect(before.deployed).toEqual([true, false, false, false]);
    expect(before.jobs).toHaveLength(3);
    expect(before.lastPlans.map((j: { kind: string } | null) => j?.kind ?? null)).toEqual([
      'plan',
      'plan',
      null,
      null,
    ]);
    expect(before.statusList).toEqual(['drifted', null, null]);
    const { engine } = await restart();
    expect(await listingsOf(engine)).toEqual(before);
  });

  it('reads only its snapshot when nothing changed, and only what changed after a write', async () => {
    const first = await restart();
    const expected = await listingsOf(first.engine);
    const unchanged = await restart();
    expect(await listingsOf(unchanged.engine)).toEqual(expected);
    expect(unchanged.reads).toEqual(['.spawnit/index-snapshot.json']);

    await first.engine.createService({
      clientId,
      serviceId: 'four',
      templateId: 'echo',
      provider: 'local',
      networkName: 'default',
      params: { message: 'four' },
    });
    await first.engine.deleteService({ clientId, serviceId: 'two' });
    const changed = await restart();
    const after = await listingsOf(changed.engine);
    expect(after.services.map((s: { serviceId: string }) => s.serviceId)).toEqual(['four', 'one', 'three']);
    expect(changed.reads.sort()).toEqual([
      '.spawnit/index-snapshot.json',
      `clients/${clientId}/services/four/terraform.tfvars.json`,
    ]);
  });
});
