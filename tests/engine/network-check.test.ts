import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createConfigSealer,
  createOperations,
  type Operations,
  parseMasterKey,
  type TargetRef,
  targetKeyOf,
} from '@spawnit/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EngineHarness, startEngine, TEST_SECRETS } from '../support/engine.js';
import { FIXTURE_MODULES } from '../support/paths.js';

// A service plan checks its network first; an unchanged network is not planned again, a changed one is.

let h: EngineHarness;
let ops: Operations;
let modulesDir: string;
const clientId = 'dora';
const network: TargetRef = { kind: 'network', clientId, provider: 'local', networkName: 'default' };
const web: TargetRef = { kind: 'service', clientId, serviceId: 'web' };

beforeAll(async () => {
  // A copy of the fixture modules, so the test can change the network's module.
  modulesDir = await mkdtemp(path.join(tmpdir(), 'spawnit-modules-'));
  await cp(FIXTURE_MODULES, modulesDir, { recursive: true });
  h = await startEngine({ modulesDir });
  ops = createOperations({ engine: h.engine });
  await h.engine.createNetwork({ clientId, provider: 'local', networkName: 'default' });
  const plan = await ops.waitForJob(clientId, (await ops.plan(network)).id);
  expect((await ops.waitForJob(clientId, (await ops.apply(network, plan.id)).id)).state).toBe('succeeded');
  await h.engine.createService({
    ...web,
    templateId: 'echo',
    provider: 'local',
    networkName: 'default',
    params: { message: 'hi' },
  });
});
afterAll(async () => {
  await ops?.shutdown();
  await h?.close();
  await rm(modulesDir, { recursive: true, force: true });
});

/** Plans the service; returns the job and whether its network was planned (its lines are prefixed). */
async function planWeb() {
  const job = await ops.waitForJob(clientId, (await ops.plan(web)).id);
  const log = (await ops.readLog(clientId, job.id)).map((l) => l.text);
  return { job, log, networkPlanned: log.some((l) => l.startsWith('[network] ')) };
}

describe('the network check', () => {
  it('plans the network once, then skips it while its state and configuration are unchanged', async () => {
    const first = await planWeb();
    expect(first.job.state).toBe('succeeded');
    expect(first.networkPlanned).toBe(true);
    expect(first.log).toContain('Network "default" (local) is compliant.');
    const second = await planWeb();
    expect(second.job.state).toBe('succeeded');
    expect(second.networkPlanned).toBe(false);
    expect(second.log.join('\n')).toMatch(
      /Network "default" \(local\) is compliant: its state and configuration are unchanged since its check at \S+\./,
    );
  });

  it('checks again when the network module changes', async () => {
    await appendFile(
      path.join(modulesDir, 'network/local/main.tf'),
      '\n# A comment changes the module, not the plan.\n',
    );
    const after = await planWeb();
    expect(after.job.state).toBe('succeeded');
    expect(after.networkPlanned).toBe(true);
    expect((await planWeb()).networkPlanned).toBe(false);
  });

  it('checks again when the network configuration changes, and blocks the service until it is applied', async () => {
    // The configuration as an operator's restore or another process would leave it: sealed, in S3.
    const key = `${targetKeyOf(network)}terraform.tfvars.json`;
    const sealer = createConfigSealer([parseMasterKey(TEST_SECRETS.secretsKey, 'SPAWNIT_SECRETS_KEY')]);
    const original = (await h.engine.store.get(key))!.body;
    const tfvars = JSON.parse(sealer.open(key, original).toString('utf8'));
    const changed = { ...tfvars, params: { ...tfvars.params, cidr: '10.20.0.0/24' } };
    await h.engine.store.put(key, sealer.seal(key, JSON.stringify(changed)));
    const blocked = await planWeb();
    expect(blocked.networkPlanned).toBe(true);
    expect(blocked.job.state).toBe('failed');
    expect(blocked.job.error).toMatch(/^Network "default" \(local\) is not deployed as configured/);
    // Back as it was: checked again (a failed check is not remembered), compliant, then skipped.
    await h.engine.store.put(key, original);
    const restored = await planWeb();
    expect(restored).toMatchObject({ networkPlanned: true, job: { state: 'succeeded' } });
    expect((await planWeb()).networkPlanned).toBe(false);
  });

  it('checks again when the network state changes, and blocks the service when it is no longer deployed', async () => {
    const destroyed = await ops.waitForJob(clientId, (await ops.destroy(network)).id);
    expect(destroyed.state).toBe('succeeded');
    const blocked = await planWeb();
    expect(blocked.networkPlanned).toBe(true);
    expect(blocked.job.state).toBe('failed');
    expect(blocked.job.error).toMatch(/^Network "default" \(local\) is not deployed as configured/);
    // A failed check is not remembered: the next plan checks again.
    expect((await planWeb()).networkPlanned).toBe(true);
  });
});
