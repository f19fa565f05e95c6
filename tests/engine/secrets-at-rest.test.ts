import { randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import {
  buildTfvars,
  createEngine,
  createOperations,
  createStateDecrypter,
  type Engine,
  isEnvelope,
  type Operations,
  type StateEncryptionOptions,
  serializeTfvars,
  type TargetRef,
} from '@spawnit/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEcho,
  type EngineHarness,
  openFixtureEngine,
  startEngine,
  TEST_SECRETS,
} from '../support/engine.js';
import { waitFor } from '../support/gate.js';
import { FIXTURE_CATALOG, FIXTURE_MODULES } from '../support/paths.js';

let h: EngineHarness;
let ops: Operations;
const clientId = 'dora';
const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
const service = (serviceId: string): TargetRef & { kind: 'service' } => ({
  kind: 'service',
  clientId,
  serviceId,
});
// Random, so a hit can only come from this run.
const CANARY_PASSWORD = `canary-pw-${randomBytes(8).toString('hex')}`;
const CANARY_MESSAGE = `canary-msg-${randomBytes(8).toString('hex')}`;

beforeAll(async () => {
  h = await startEngine();
  ops = createOperations({ engine: h.engine });
  await h.engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  const plan = await ops.waitForJob(clientId, (await ops.plan(network)).id);
  if (plan.planId) await ops.waitForJob(clientId, (await ops.apply(network, plan.id)).id);
});
afterAll(async () => {
  await ops?.shutdown();
  await h?.close();
});

/** Every regular file under a folder, symlinks not followed. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(file)));
    else if (entry.isFile()) out.push(file);
  }
  return out;
}

async function foldersUnder(dir: string): Promise<string[]> {
  const out: string[] = [dir];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...(await foldersUnder(path.join(dir, entry.name))));
  }
  return out;
}

describe('no secret in clear text at rest', () => {
  it('a secret parameter and an output value appear nowhere in the bucket nor under the data folder', async () => {
    // The message is not a secret parameter, but it is in the state (output "greeting") and the saved plan.
    await createEcho(h.engine, clientId, 'vault', { message: CANARY_MESSAGE, password: CANARY_PASSWORD });
    const plan = await ops.waitForJob(clientId, (await ops.plan(service('vault'))).id);
    expect(plan.state, plan.error).toBe('succeeded');
    const applied = await ops.waitForJob(clientId, (await ops.apply(service('vault'), plan.id)).id);
    expect(applied.state, applied.error).toBe('succeeded');
    // A saved plan nobody applied stays in S3: it must be encrypted too.
    await h.engine.updateService(service('vault'), { message: `${CANARY_MESSAGE}-2` });
    const pending = await ops.waitForJob(clientId, (await ops.plan(service('vault'))).id);
    expect(pending.planStatus).toBe('drifted');

    // The canaries are really there, behind the encryption: the state's output and the configuration.
    const state = await h.engine.readState(service('vault'));
    expect(state?.outputs?.password?.value).toBe(CANARY_PASSWORD);
    expect(state?.outputs?.greeting?.value).toBe(CANARY_MESSAGE);
    expect((await h.engine.getService(service('vault')))?.params.password).toBe(CANARY_PASSWORD);

    const objects = await h.engine.store.list('');
    const keys = objects.map((o) => o.key);
    expect(keys).toContain('clients/dora/services/vault/terraform.tfstate');
    expect(keys).toContain('clients/dora/services/vault/terraform.tfvars.json');
    expect(keys.some((k) => k.endsWith('.tfplan'))).toBe(true);
    expect(keys.some((k) => k.startsWith('jobs/') || k.includes('/jobs/'))).toBe(true);
    const leaks: string[] = [];
    // The secret is nowhere. The message is not a secret: a job's log and its record (the plan's diff,
    // attribute by attribute) show it, as they show the plan to its owner; everything else (configuration,
    // state, plans and their records, the service's status) holds it encrypted or not at all.
    const search = (where: string, body: string) => {
      if (body.includes(CANARY_PASSWORD)) leaks.push(`password in ${where}`);
      if (body.includes(CANARY_MESSAGE) && !/\/jobs\/[^/]+\.(log|json)(\._S3rver_object)?$/.test(where)) {
        leaks.push(`message in ${where}`);
      }
    };
    for (const { key } of objects)
      search(`s3://${key}`, (await h.engine.store.get(key))!.body.toString('latin1'));
    // The bucket as the S3 server keeps it on disk, metadata included.
    const serverFiles = await filesUnder(h.s3.directory);
    for (const file of serverFiles) search(file, (await readFile(file)).toString('latin1'));
    const dataFiles = await filesUnder(h.dataDir);
    expect(dataFiles.length).toBeGreaterThan(3);
    for (const file of dataFiles) search(file, (await readFile(file)).toString('latin1'));
    expect(leaks).toEqual([]);
    // The search finds what is there: the message is in the job logs (short ones inside their records), in clear.
    const logs = objects.filter((o) => /\/jobs\/[^/]+\.(log|json)$/.test(o.key));
    const logText = await Promise.all(
      logs.map(async (o) => (await h.engine.store.get(o.key))!.body.toString()),
    );
    expect(logText.join('\n')).toContain(CANARY_MESSAGE);
    // No plan lingers on the local disk once saved to S3 or applied.
    expect(dataFiles.filter((f) => f.endsWith('.tfplan'))).toEqual([]);
  });

  it('keeps the data folder owner-only: folders 0700, files without group or other bits', async () => {
    const loose: string[] = [];
    for (const dir of await foldersUnder(h.dataDir)) {
      const mode = (await lstat(dir)).mode & 0o777;
      if (mode !== 0o700) loose.push(`${dir} ${mode.toString(8)}`);
    }
    for (const file of await filesUnder(h.dataDir)) {
      const mode = (await lstat(file)).mode & 0o777;
      if ((mode & 0o077) !== 0) loose.push(`${file} ${mode.toString(8)}`);
    }
    expect(loose).toEqual([]);
  });

  it('retires the other saved plans of a target once one is applied', async () => {
    const a = await ops.waitForJob(clientId, (await ops.plan(service('vault'))).id);
    const b = await ops.waitForJob(clientId, (await ops.plan(service('vault'))).id);
    expect([a.planStatus, b.planStatus]).toEqual(['drifted', 'drifted']);
    const applied = await ops.waitForJob(clientId, (await ops.apply(service('vault'), b.id)).id);
    expect(applied.state, applied.error).toBe('succeeded');
    const left = (await h.engine.store.list('clients/dora/services/vault/plans/')).map((o) => o.key);
    // Plan files gone; the records of the stale ones stay, so applying one still says "plan again".
    expect(left.filter((k) => k.endsWith('.tfplan'))).toEqual([]);
    const stale = await ops.waitForJob(clientId, (await ops.apply(service('vault'), a.id)).id);
    expect(stale.state).toBe('failed');
    expect(stale.error).toMatch(/changed since plan .* plan again/);
  });

  it('retires the plans saved before a restart: the next process finds them in the bucket', async () => {
    const ref = service('vault');
    await h.engine.updateService(ref, { message: 'before the restart' });
    const before = await ops.waitForJob(clientId, (await ops.plan(ref)).id);
    expect(before.planStatus).toBe('drifted');
    const planFile = `clients/dora/services/vault/plans/${before.planId}.tfplan`;
    expect(await h.engine.store.get(planFile)).toBeDefined();
    // Another process on the same bucket (its index read from it), as after a restart.
    const next = await openFixtureEngine(h.s3, path.join(h.dataDir, 'next'));
    try {
      expect((await next.index.savedPlans(ref)).map((p) => p.planId)).toEqual([before.planId]);
      const planned = await next.plan(ref);
      await next.apply(ref, planned.planId);
      expect(await next.store.get(planFile)).toBeUndefined();
      const record = await next.store.getJson<{ stale?: boolean }>(
        `clients/dora/services/vault/plans/${before.planId}.json`,
      );
      expect(record?.stale).toBe(true);
      expect(await next.index.savedPlans(ref)).toEqual([]);
    } finally {
      await next.close();
    }
  });

  it('deletes a saved plan nobody applied once it is a day old, file and record, at a later plan of its target', async () => {
    const ref = service('forgotten');
    await createEcho(h.engine, clientId, 'forgotten', { message: 'v1' });
    const old = await h.engine.plan(ref);
    const recent = await h.engine.plan(ref);
    expect([old.saved, recent.saved]).toEqual([true, true]);
    const plans = 'clients/dora/services/forgotten/plans/';
    // The server dates an object by its file: the old plan's file and record, as if written 25 hours ago.
    const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    const oldFiles = (await filesUnder(h.s3.directory)).filter((f) => f.includes(`${plans}${old.planId}.`));
    expect(oldFiles.length).toBeGreaterThanOrEqual(2);
    for (const file of oldFiles) await utimes(file, dayAgo, dayAgo);
    // The next process on the bucket looks for old plans at its first plan of the target (then hourly).
    const next = await openFixtureEngine(h.s3, path.join(h.dataDir, 'expiring'));
    try {
      await next.updateService(ref, { message: 'v2' });
      const latest = await next.plan(ref);
      await waitFor(
        async () => !(await next.store.get(`${plans}${old.planId}.json`)),
        'the old plan record expired',
      );
      const left = (await next.store.list(plans)).map((o) => o.key).sort();
      expect(left).toEqual(
        [recent.planId, latest.planId].flatMap((id) => [`${plans}${id}.json`, `${plans}${id}.tfplan`]).sort(),
      );
      expect((await next.index.savedPlans(ref)).map((p) => p.planId).sort()).toEqual(
        [recent.planId, latest.planId].sort(),
      );
    } finally {
      await next.close();
    }
    await h.engine.deleteService(ref);
  });

  it('reads a configuration saved in clear before a key was set, and seals it at its next write', async () => {
    const ref = service('legacy');
    const key = 'clients/dora/services/legacy/terraform.tfvars.json';
    const params = { message: 'old', port: 8080, password: CANARY_PASSWORD, watch_file: null, fail: false };
    await h.engine.store.put(
      key,
      serializeTfvars(
        buildTfvars({
          clientId,
          serviceId: 'legacy',
          templateId: 'echo',
          provider: 'local',
          networkName: 'default',
          params: { ...params, sleep_seconds: 0, extra_resources: 0, gate_url: null },
        }),
      ),
    );
    expect((await h.engine.getService(ref))?.params.password).toBe(CANARY_PASSWORD);
    await h.engine.updateService(ref, { message: 'new' });
    const stored = (await h.engine.store.get(key))!.body;
    expect(isEnvelope(stored)).toBe(true);
    expect(stored.toString('utf8')).not.toContain(CANARY_PASSWORD);
    expect((await h.engine.getService(ref))?.params).toMatchObject({
      message: 'new',
      password: CANARY_PASSWORD,
    });
    await h.engine.deleteService(ref);
  });
});

describe('state passphrase rotation', () => {
  const A = TEST_SECRETS.stateEncryption.passphrase;
  const B = 'the-new-passphrase-after-rotation';
  const engines: Engine[] = [];
  const engineWith = async (stateEncryption: StateEncryptionOptions) => {
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
      lockTimeout: '5s',
      secretsKey: TEST_SECRETS.secretsKey,
      stateEncryption,
    });
    engines.push(engine);
    return engine;
  };
  const stateObject = async (serviceId: string) =>
    (await h.engine.store.get(`clients/dora/services/${serviceId}/terraform.tfstate`))!.body;
  const opensWith = async (passphrase: string, body: Buffer) =>
    createStateDecrypter({ passphrase })(body, 'the state').then(
      () => true,
      () => false,
    );

  it('state written with A; B with A as fallback plans and applies, rewriting with B; then A removed still works', async () => {
    const ref = service('rotated');
    const untouched = service('untouched');
    await createEcho(h.engine, clientId, 'rotated', { message: 'v1' });
    await createEcho(h.engine, clientId, 'untouched', { message: 'v1' });
    for (const target of [ref, untouched]) {
      const planned = await h.engine.plan(target);
      await h.engine.apply(target, planned.planId);
    }
    expect(await opensWith(A, await stateObject('rotated'))).toBe(true);
    expect(await opensWith(B, await stateObject('rotated'))).toBe(false);
    // A plan saved under A, before the rotation.
    await h.engine.updateService(ref, { message: 'v2' });
    const savedUnderA = await h.engine.plan(ref);
    expect(savedUnderA.status).toBe('drifted');

    const rotating = await engineWith({ passphrase: B, previousPassphrase: A });
    expect(await rotating.isDeployed(ref)).toBe(true);
    // The plan encrypted with A is applied through the fallback; the state is written back with B.
    const applied = await rotating.apply(ref, savedUnderA.planId);
    expect(applied.summary.change).toBe(1);
    expect(await opensWith(B, await stateObject('rotated'))).toBe(true);
    expect(await opensWith(A, await stateObject('rotated'))).toBe(false);
    // A target not yet rewritten still plans through the fallback.
    expect((await rotating.plan(untouched)).status).toBe('compliant');
    // Rewrite it: an apply writes its state with B even when nothing changes.
    await rotating.updateService(untouched, { message: 'v2' });
    const second = await rotating.plan(untouched);
    await rotating.apply(untouched, second.planId);

    const rotated = await engineWith({ passphrase: B });
    expect(rotated.warnings.filter((w) => /encrypt/i.test(w))).toEqual([]);
    expect((await rotated.plan(ref)).status).toBe('compliant');
    expect((await rotated.plan(untouched)).status).toBe('compliant');
    expect((await rotated.readState(ref))?.outputs?.greeting?.value).toBe('v2');
    const outputs = await rotated.outputs(ref, { reveal: true });
    expect(outputs.find((o) => o.name === 'greeting')?.value).toBe('v2');
  });

  it('without the passphrase a state was written with, a plan fails and says which setting to set', async () => {
    const stranger = await engineWith({ passphrase: 'a-passphrase-nobody-used-here' });
    const failed = await stranger.plan(service('rotated'));
    expect(failed.status).toBe('error');
    expect(failed.error).toMatch(/decrypt/i);
    expect(failed.error).toContain('set the passphrase it was written with');
    await expect(stranger.readState(service('rotated'))).rejects.toThrow(
      /SPAWNIT_STATE_PASSPHRASE_PREVIOUS during a rotation/,
    );
  });
});

describe('Terraform', () => {
  it('warns at start that state and plans are not encrypted', async () => {
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
      tofuBin: 'terraform',
      useLockfile: false,
      ...TEST_SECRETS,
    });
    expect(engine.tofu.name).toBe('terraform');
    expect(engine.stateEncrypted).toBe(false);
    expect(engine.warnings.join('\n')).toContain('is Terraform, which cannot encrypt state or plans');
  });
});
