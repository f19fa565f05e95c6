import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EngineOptions, parseImageSubstitution, TofuError } from '@spawnit/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { type EngineHarness, startEngine } from '../support/engine.js';
import { dockerObjects, realEngineOptions } from '../support/real-stack.js';

// What a user reads when a part outside SpawnIt is missing, produced by the real tofu, provider and dockerd:
// one sentence naming the provider, host or image and what to set; tofu's own text stays in the log.

const clientId = 'errors-client';
let h: EngineHarness | undefined;
let emptyMirror: string | undefined;

async function engineWith(overrides: Partial<EngineOptions>): Promise<EngineHarness> {
  h = await startEngine({ ...realEngineOptions(), ...overrides });
  await h.engine.createNetwork({ clientId, provider: 'local', networkName: 'errs' });
  return h;
}
const network = { kind: 'network', clientId, provider: 'local', networkName: 'errs' } as const;

/** The service each failure is shown on: Redis, on the errors' network. */
const createRedis = (engine: EngineHarness['engine']) =>
  engine.createService({
    clientId,
    serviceId: 'nope',
    templateId: 'redis',
    provider: 'local',
    networkName: 'errs',
    params: { port: 16399 },
  });

afterEach(async () => {
  if (h) {
    // Leave nothing behind in the tests' dockerd, whatever failed.
    for (const ref of [{ clientId, serviceId: 'nope' }, network] as const) {
      if (await h.engine.isDeployed(ref)) await h.engine.destroy(ref);
    }
    await h.close();
    h = undefined;
  }
  if (emptyMirror) await rm(emptyMirror, { recursive: true, force: true });
  emptyMirror = undefined;
});

describe('failures a user can fix, in one sentence', () => {
  it('a provider missing from the mirror: names it and SPAWNIT_PROVIDER_MIRROR', async () => {
    emptyMirror = await mkdtemp(path.join(tmpdir(), 'spawnit-empty-mirror-'));
    const engine = (await engineWith({ providerMirror: emptyMirror })).engine;
    const plan = await engine.plan(network);
    expect(plan.status).toBe('error');
    expect(plan.error).toBe(
      'init failed for network "errs" (local): The provider kreuzwerker/docker is not in the provider mirror: add it to the folder or network mirror SPAWNIT_PROVIDER_MIRROR points to (see the README), or unset SPAWNIT_PROVIDER_MIRROR to use the registry.',
    );
  });

  it('Docker unreachable: names the host and DOCKER_HOST', async () => {
    const dead = 'unix:///tmp/spawnit-no-docker.sock';
    const engine = (await engineWith({ providerEnv: { DOCKER_HOST: dead } })).engine;
    await createRedis(engine);
    // The service reads its network from Docker at plan time.
    const plan = await engine.plan({ clientId, serviceId: 'nope' });
    expect(plan.status).toBe('error');
    expect(plan.error).toBe(
      `The plan of service "nope" failed: Docker does not answer at ${dead}: start Docker there, or set DOCKER_HOST (in SpawnIt's environment) to the Docker engine that runs local services.`,
    );
  });

  it('an image Docker cannot pull: names the image and the image settings', async () => {
    const engine = (
      await engineWith({
        images: parseImageSubstitution('redis:7.4.5-alpine=spawnit-local/does-not-exist:1'),
      })
    ).engine;
    const planned = await engine.plan(network);
    expect(planned.status, planned.error).toBe('drifted');
    await engine.apply(network, planned.planId);
    await createRedis(engine);
    const plan = await engine.plan({ clientId, serviceId: 'nope' });
    expect(plan.status, plan.error).toBe('drifted');
    const applied = await engine.apply({ clientId, serviceId: 'nope' }, plan.planId).catch((e: unknown) => e);
    expect(applied).toBeInstanceOf(TofuError);
    expect((applied as TofuError).message).toMatch(
      /^The apply of service "nope" failed: Docker could not pull the image spawnit-local\/does-not-exist:1 \(Error response from daemon: .*\): map it to an image Docker can get with SPAWNIT_IMAGE_MAP, pull through a registry mirror with SPAWNIT_IMAGE_MIRROR, or let Docker reach its registry\.$/,
    );
    expect(await dockerObjects('container', `spawnit-${clientId}-nope`)).toEqual([]);
  });
});
