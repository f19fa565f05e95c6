import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ConflictError,
  createConfigSealer,
  InvalidIdError,
  isEnvelope,
  parseMasterKey,
  StalePlanError,
  StoreError,
  ValidationError,
} from '@spawnit/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineHarness, startEngine, TEST_SECRETS } from '../support/engine.js';

let h: EngineHarness;
beforeAll(async () => {
  h = await startEngine();
});
afterAll(async () => {
  await h?.close();
});

const alice = 'alice';
const create = (serviceId: string, params: Record<string, unknown>) =>
  h.engine.createService({
    clientId: alice,
    serviceId,
    templateId: 'echo',
    provider: 'local',
    networkName: 'default',
    params,
  });

describe('catalog', () => {
  it('loads good templates and reports broken ones with their file and reason', () => {
    expect(h.engine.catalog.templates.map((t) => t.id)).toEqual(['echo']);
    const problems = h.engine.catalog.problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]!.file).toMatch(/templates\/broken\.json$/);
    expect(problems[0]!.message).toContain('parameter "port": default 80 must be at least 1024');
    expect(problems[1]!.file).toMatch(/templates\/missing\.json$/);
    expect(problems[1]!.message).toBe('file not found');
  });
});

describe('validation', () => {
  it('names every bad field and its rule, and stores nothing', async () => {
    const error = await create('bad-one', { port: 80, nope: 1, fail: 'yes' }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const byField = Object.fromEntries(
      (error as ValidationError).fieldErrors.map((e) => [e.field, `${e.rule}: ${e.message}`]),
    );
    expect(byField).toEqual({
      message: 'required: Message (message) is required',
      port: 'min: port (port) must be at least 1024',
      nope: expect.stringMatching(/^unknown: "nope" is not a parameter of Echo/),
      fail: 'type: fail (fail) must be true or false',
    });
    expect(await h.engine.getService({ clientId: alice, serviceId: 'bad-one' })).toBeUndefined();
  });

  it('refuses ids that could reach outside the workdir or the client prefix', async () => {
    await expect(create('../x', { message: 'hi' })).rejects.toMatchObject({
      fieldErrors: [expect.objectContaining({ field: 'serviceId' })],
    });
    await expect(
      h.engine.createService({
        clientId: '../bob',
        serviceId: 'x1',
        templateId: 'echo',
        provider: 'local',
        networkName: 'default',
        params: { message: 'hi' },
      }),
    ).rejects.toBeInstanceOf(InvalidIdError);
    await expect(h.engine.plan({ clientId: alice, serviceId: '../../etc' })).rejects.toBeInstanceOf(
      InvalidIdError,
    );
    await expect(h.engine.plan({ clientId: 'alice/../bob', serviceId: 'web' })).rejects.toBeInstanceOf(
      InvalidIdError,
    );
  });

  it('refuses an unknown template and a provider the template lacks', async () => {
    const error = await h.engine
      .createService({
        clientId: alice,
        serviceId: 'x2',
        templateId: 'nope',
        provider: 'aws',
        networkName: 'default',
        params: {},
      })
      .catch((e) => e);
    expect(error.fieldErrors.map((e: { field: string }) => e.field)).toEqual(['templateId']);
    const error2 = await h.engine
      .createService({
        clientId: alice,
        serviceId: 'x2',
        templateId: 'echo',
        provider: 'aws',
        networkName: 'default',
        params: { message: 'x' },
      })
      .catch((e) => e);
    expect(error2.fieldErrors[0].message).toContain('Echo cannot run on provider "aws"; it supports local');
  });
});

describe('tfvars', () => {
  it('wraps the parameters into the standard structure, keeps ${ literal and generates secrets', async () => {
    const saved = await create('literal', { message: 'cost: ${var.secret} %{ if true }x%{ endif }' });
    const key = 'clients/alice/services/literal/terraform.tfvars.json';
    const object = await h.engine.store.get(key);
    // Sealed in S3 (it holds the generated password): opened here with the test's key.
    expect(isEnvelope(object!.body)).toBe(true);
    const sealer = createConfigSealer([parseMasterKey(TEST_SECRETS.secretsKey, 'SPAWNIT_SECRETS_KEY')]);
    const tfvars = JSON.parse(sealer.open(key, object!.body).toString('utf8'));
    expect(object!.body.toString('utf8')).not.toContain(tfvars.params.password);
    expect(tfvars.context).toEqual({
      client_id: 'alice',
      service_id: 'literal',
      template_id: 'echo',
      provider: 'local',
      network_name: 'default',
      labels: {
        'managed-by': 'spawnit',
        'spawnit-client': 'alice',
        'spawnit-network': 'default',
        'spawnit-service': 'literal',
        'spawnit-template': 'echo',
      },
    });
    expect(tfvars.params.message).toBe('cost: ${var.secret} %{ if true }x%{ endif }');
    expect(tfvars.params.port).toBe(8080);
    expect(tfvars.params.password).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(tfvars.params.watch_file).toBeNull();
    expect(saved.params).toEqual(tfvars.params);
    // Saving deploys nothing.
    expect(await h.engine.isDeployed({ clientId: alice, serviceId: 'literal' })).toBe(false);

    // The literal survives tofu: the applied message is exactly what the user typed.
    const planned = await h.engine.plan({ clientId: alice, serviceId: 'literal' });
    expect(planned.status).toBe('drifted');
    await h.engine.apply({ clientId: alice, serviceId: 'literal' }, planned.planId);
    const outputs = await h.engine.outputs({ clientId: alice, serviceId: 'literal' });
    expect(outputs.find((o) => o.name === 'greeting')?.value).toBe(
      'cost: ${var.secret} %{ if true }x%{ endif }',
    );
    await h.engine.destroy({ clientId: alice, serviceId: 'literal' });
  });

  it('refuses to create a service twice, even when both creates race', async () => {
    await create('twice', { message: 'one' });
    await expect(create('twice', { message: 'two' })).rejects.toBeInstanceOf(ConflictError);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => create('racing', { message: `writer ${i}` })),
    );
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    const saved = await h.engine.getService({ clientId: alice, serviceId: 'racing' });
    expect(saved!.params.message).toBe(won[0]!.params.message);
  });
});

describe('plan, apply, destroy', () => {
  const ref = { clientId: alice, serviceId: 'web' };
  let watchFile: string;

  it('plans (drifted), applies the saved plan, then plans compliant without re-init', async () => {
    watchFile = path.join(h.dataDir, 'watched.txt');
    await writeFile(watchFile, 'v1');
    await create('web', { message: 'hello', password: 'correct-horse-battery', watch_file: watchFile });
    const lines: string[] = [];
    const first = await h.engine.plan(ref, { onLine: (l) => lines.push(l) });
    expect(first).toMatchObject({ status: 'drifted', initialized: true, saved: true, exitCode: 2 });
    expect(first.summary).toMatchObject({ add: 1, change: 0, destroy: 0 });
    expect(first.summary!.resources).toEqual([
      {
        address: 'module.this.terraform_data.this',
        actions: ['create'],
        // The attribute-level diff: values as JSON, the ones only the apply knows flagged.
        attributes: expect.arrayContaining([
          { path: 'input.message', after: '"hello"' },
          { path: 'input.port', after: '8080' },
          { path: 'output', afterUnknown: true },
        ]),
      },
    ]);
    expect(JSON.stringify(first.summary)).not.toContain('correct-horse-battery');
    expect(lines.join('\n')).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(lines.join('\n')).not.toContain('correct-horse-battery');
    expect(lines.join('\n')).not.toMatch(/\u001b\[/);

    const applyLines: string[] = [];
    const applied = await h.engine.apply(ref, first.planId, { onLine: (l) => applyLines.push(l) });
    expect(applied.summary.add).toBe(1);
    expect(applyLines.join('\n')).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    expect(await h.engine.isDeployed(ref)).toBe(true);
    // The state is in S3, under the service's prefix.
    const state = await h.engine.readState(ref);
    expect(state!.resources).toHaveLength(1);
    // Encrypted by OpenTofu: the object itself holds no resource.
    const stored = await h.engine.store.getJson<Record<string, unknown>>(
      'clients/alice/services/web/terraform.tfstate',
    );
    expect(Object.keys(stored!).sort()).toEqual([
      'encrypted_data',
      'encryption_version',
      'lineage',
      'meta',
      'serial',
    ]);

    const second = await h.engine.plan(ref);
    expect(second).toMatchObject({ status: 'compliant', initialized: false, exitCode: 0, saved: false });
    expect(second.summary!.resources).toEqual([]);
  });

  it("plans from a configuration the caller already read (a job's), never another target's", async () => {
    const read = h.engine.resolve(ref);
    expect(await h.engine.plan(ref, { target: read })).toMatchObject({ status: 'compliant', saved: false });
    await create('not-web', { message: 'other' });
    const other = h.engine.resolve({ clientId: alice, serviceId: 'not-web' });
    await expect(h.engine.plan(ref, { target: other })).rejects.toThrow(
      'plan of service "web" given the configuration of service "not-web"',
    );
    await h.engine.deleteService({ clientId: alice, serviceId: 'not-web' });
  });

  it('a plan can only be applied once', async () => {
    const again = await h.engine.plan(ref);
    expect(again.status).toBe('compliant');
    await expect(h.engine.apply(ref, again.planId)).rejects.toThrow(
      /does not exist or was already applied; plan again/,
    );
    await expect(h.engine.apply(ref, 'not-a-uuid')).rejects.toBeInstanceOf(InvalidIdError);
  });

  it('reports a change made outside SpawnIt as drifted, with what changed', async () => {
    await writeFile(watchFile, 'v2 changed by hand');
    const drifted = await h.engine.plan(ref);
    expect(drifted.status).toBe('drifted');
    expect(drifted.summary).toMatchObject({ add: 0, change: 1, destroy: 0 });
    expect(drifted.summary!.resources).toEqual([
      {
        address: 'module.this.terraform_data.this',
        actions: ['update'],
        attributes: expect.arrayContaining([
          { path: 'input.watched', before: '"v1"', after: '"v2 changed by hand"' },
        ]),
      },
    ]);
    await h.engine.apply(ref, drifted.planId);
    expect((await h.engine.plan(ref)).status).toBe('compliant');
  });

  it('refuses a plan whose configuration changed since: plan again', async () => {
    await writeFile(watchFile, 'v3');
    const planned = await h.engine.plan(ref);
    expect(planned.status).toBe('drifted');
    await h.engine.updateService(ref, { message: 'changed after the plan', watch_file: watchFile });
    await expect(h.engine.apply(ref, planned.planId)).rejects.toThrow(StalePlanError);
    await expect(h.engine.apply(ref, planned.planId)).rejects.toThrow(/plan again/);
    // The update kept the secret the user left empty.
    const config = await h.engine.getService(ref);
    expect(config!.params.password).toBe('correct-horse-battery');
  });

  it('refuses a plan made before the state changed', async () => {
    const a = await h.engine.plan(ref);
    const b = await h.engine.plan(ref);
    expect([a.status, b.status]).toEqual(['drifted', 'drifted']);
    await h.engine.apply(ref, b.planId);
    const error = await h.engine.apply(ref, a.planId).catch((e) => e);
    expect(error).toBeInstanceOf(StalePlanError);
    expect(error.message).toMatch(/changed since plan .* plan again/);
  });

  it('masks sensitive outputs unless asked', async () => {
    const outputs = await h.engine.outputs(ref);
    expect(outputs).toEqual(
      expect.arrayContaining([
        {
          name: 'greeting',
          description: 'The message, as deployed.',
          sensitive: false,
          value: 'changed after the plan',
        },
        { name: 'port', description: 'The port.', sensitive: false, value: 8080 },
        { name: 'password', description: 'The password.', sensitive: true, value: null },
      ]),
    );
    const revealed = await h.engine.outputs(ref, { reveal: true });
    expect(revealed.find((o) => o.name === 'password')?.value).toBe('correct-horse-battery');
  });

  it('gives status error (exit 1) with the reason when the plan fails', async () => {
    await h.engine.updateService(ref, { message: 'x', fail: true, watch_file: watchFile });
    const failed = await h.engine.plan(ref);
    expect(failed).toMatchObject({ status: 'error', exitCode: 1, saved: false });
    // The module's own words in one sentence: no "Error:", file and line, code, values or box-drawing.
    expect(failed.error).toMatch(
      /^The plan of .* failed: The fixture was asked to fail \(params\.fail = true\)\.$/,
    );
    await h.engine.updateService(ref, { message: 'changed after the plan', watch_file: watchFile });
  });

  it('loses nothing when the working directory is deleted', async () => {
    await rm(path.join(h.dataDir, 'workdirs'), { recursive: true, force: true });
    const replanned = await h.engine.plan(ref);
    expect(replanned).toMatchObject({ status: 'compliant', initialized: true });
  });

  it('destroys: a destroy plan, then its apply; then the service can be deleted', async () => {
    await expect(h.engine.deleteService(ref)).rejects.toThrow(/still deployed; destroy it first/);
    const lines: string[] = [];
    const destroyed = await h.engine.destroy(ref, { onLine: (l) => lines.push(l) });
    expect(destroyed.plan).toMatchObject({ status: 'drifted', destroy: true });
    expect(destroyed.plan.summary!.resources).toEqual([
      expect.objectContaining({ address: 'module.this.terraform_data.this', actions: ['delete'] }),
    ]);
    expect(lines.join('\n')).toContain('Apply complete! Resources: 0 added, 0 changed, 1 destroyed.');
    expect(await h.engine.isDeployed(ref)).toBe(false);
    await h.engine.deleteService(ref);
    expect(await h.engine.getService(ref)).toBeUndefined();
    expect(await h.engine.store.list('clients/alice/services/web/')).toEqual([]);
  });
});

describe('the deployed flag', () => {
  it('follows each apply and destroy in the index, as the state says', async () => {
    const ref = { clientId: alice, serviceId: 'flagged' };
    const target = { kind: 'service' as const, ...ref };
    const applyPlan = async () => {
      const planned = await h.engine.plan(ref);
      expect(planned.status).toBe('drifted');
      await h.engine.apply(ref, planned.planId);
      const [indexed] = await h.engine.index.deployed([target]);
      expect(indexed).toBe(await h.engine.isDeployed(ref));
      return { summary: planned.summary!, deployed: indexed };
    };
    await create('flagged', { message: 'one', extra_resources: 1 });
    // Creates: deployed.
    expect(await applyPlan()).toMatchObject({ summary: { add: 2 }, deployed: true });
    // Changes in place, nothing deleted: still deployed.
    await h.engine.updateService(ref, { message: 'two', extra_resources: 1 });
    expect(await applyPlan()).toMatchObject({ summary: { add: 0, destroy: 0 }, deployed: true });
    // Deletes one resource of two: the state says what is left.
    await h.engine.updateService(ref, { message: 'two', extra_resources: 0 });
    expect(await applyPlan()).toMatchObject({ summary: { add: 0, destroy: 1 }, deployed: true });
    await h.engine.destroy(ref);
    expect(await h.engine.index.deployed([target])).toEqual([false]);
    expect(await h.engine.isDeployed(ref)).toBe(false);
  });
});

describe('S3 failures', () => {
  it('names the endpoint and the bucket when the bucket is missing', async () => {
    const other = await startEngine();
    try {
      const { createS3Store } = await import('@spawnit/engine');
      const store = createS3Store({
        endpoint: other.s3.endpoint,
        bucket: 'no-such-bucket',
        accessKeyId: other.s3.accessKeyId,
        secretAccessKey: other.s3.secretAccessKey,
      });
      const error = await store.check().catch((e) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error.message).toBe(
        `S3 check failed on bucket "no-such-bucket" at ${other.s3.endpoint}: the bucket does not exist; create it or set the right bucket name.`,
      );
    } finally {
      await other.close();
    }
  });

  it('names the endpoint and the bucket when S3 is down, and writes nothing', async () => {
    const other = await startEngine();
    await other.s3.stop();
    const error = await other.engine
      .createService({
        clientId: alice,
        serviceId: 'down',
        templateId: 'echo',
        provider: 'local',
        networkName: 'default',
        params: { message: 'x' },
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toContain(`bucket "spawnit" at ${other.s3.endpoint}`);
    expect(error.message).toContain('the S3 endpoint cannot be reached');
    await other.close().catch(() => undefined);
  });
});

describe('state locking', () => {
  it('uses the S3 lockfile when the store refuses a second If-None-Match write', () => {
    expect(h.engine.useLockfile).toBe(true);
    expect(h.engine.warnings).toEqual([]);
  });

  it('says loudly when the store ignores conditional writes, and still runs without the lockfile', async () => {
    const other = await startEngine({}, { conditionalWrites: false });
    try {
      expect(other.engine.useLockfile).toBe(false);
      expect(other.engine.warnings).toHaveLength(1);
      expect(other.engine.warnings[0]).toMatch(
        new RegExp(
          `^The S3 store ${other.s3.endpoint} \\(bucket "spawnit"\\) ignores conditional writes \\(If-None-Match\\).*state locking is OFF`,
        ),
      );
      const ref = { clientId: alice, serviceId: 'unlocked' };
      await other.engine.createService({
        ...ref,
        templateId: 'echo',
        provider: 'local',
        networkName: 'default',
        params: { message: 'x' },
      });
      const plan = await other.engine.plan(ref);
      await other.engine.apply(ref, plan.planId);
      expect(await other.engine.isDeployed(ref)).toBe(true);
      const backend = await readFile(
        path.join(other.dataDir, 'workdirs/alice/unlocked/backend.tfbackend'),
        'utf8',
      );
      expect(backend).toContain('use_lockfile = false');
    } finally {
      await other.close();
    }
  });
});

describe('colours', () => {
  it("keeps tofu's colours when asked, strips them by default", async () => {
    const coloured = await startEngine({ color: true });
    try {
      const ref = { clientId: alice, serviceId: 'colours' };
      await coloured.engine.createService({
        ...ref,
        templateId: 'echo',
        provider: 'local',
        networkName: 'default',
        params: { message: 'x' },
      });
      const lines: string[] = [];
      await coloured.engine.plan(ref, { onLine: (l) => lines.push(l) });
      expect(lines.join('\n')).toMatch(/\u001b\[[0-9;]*m/);
    } finally {
      await coloured.close();
    }
  });
});

describe('the binary', () => {
  it('reports which binary it runs and its version', async () => {
    expect(['tofu', 'terraform']).toContain(h.engine.tofu.name);
    expect(h.engine.tofu.version).toMatch(/^\d+\.\d+\.\d+/);
    const cli = await readFile(path.join(h.dataDir, 'tofu.tfrc'), 'utf8');
    expect(cli).toContain('plugin_cache_dir');
  });
});
