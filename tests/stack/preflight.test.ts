import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { pingDocker } from '@spawnit/engine';
import { afterAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApi } from '../support/api.js';
import { REPO_ROOT } from '../support/paths.js';
import { realStack } from '../support/real-stack.js';

// The preflight: which binary, where providers come from, whether Docker answers — the real dockerd, a dead
// socket and a server that is not Docker.

const stack = realStack();
const TOFU_VERSION = /^TOFU_VERSION=(.+)$/m.exec(
  readFileSync(path.join(REPO_ROOT, 'scripts/stack/versions.env'), 'utf8'),
)?.[1];
const apis: ApiHarness[] = [];
afterAll(async () => {
  for (const api of apis) await api.close();
});

const SYSTEM = `{ system { binary binaryVersion providerSource providerMirror warnings
  docker { host reachable version error } } }`;

async function systemOf(providerEnv: Record<string, string> = {}) {
  const api = await startApi({ engine: { providerMirror: stack.providerMirror, providerEnv } });
  apis.push(api);
  const { body } = await api.gql(await api.token('alice'), SYSTEM);
  expect(body.errors).toBeUndefined();
  // biome-ignore lint/suspicious/noExplicitAny: checked by the assertions
  return (body.data as any).system;
}

describe('pingDocker', () => {
  it('gets the version of the tests’ dockerd over its socket', async () => {
    const check = await pingDocker(stack.dockerHost);
    expect(check).toMatchObject({ host: stack.dockerHost, reachable: true, error: undefined });
    expect(check.version).toMatch(/^\d+\.\d+/);
  });

  it('names a dead socket and DOCKER_HOST', async () => {
    const check = await pingDocker('unix:///tmp/spawnit-no-such-docker.sock');
    expect(check.reachable).toBe(false);
    expect(check.error).toBe(
      'Docker does not answer at unix:///tmp/spawnit-no-such-docker.sock (ENOENT): local services cannot run until it does; start Docker, or set DOCKER_HOST to the engine that runs them.',
    );
  });

  it('does not take any HTTP server for Docker', async () => {
    const server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const check = await pingDocker(`tcp://127.0.0.1:${port}`);
    server.close();
    expect(check.reachable).toBe(false);
    expect(check.error).toContain('(HTTP 404)');
  });
});

describe('the system query', () => {
  it('reports OpenTofu, the mirror and Docker, with no warning when all is there', async () => {
    const system = await systemOf();
    expect(system).toEqual({
      binary: 'tofu',
      binaryVersion: TOFU_VERSION,
      providerSource: 'FILESYSTEM',
      providerMirror: stack.providerMirror,
      warnings: [],
      docker: {
        host: stack.dockerHost,
        reachable: true,
        version: expect.stringMatching(/^\d+\./),
        error: null,
      },
    });
  });

  it('warns, without failing, when Docker does not answer', async () => {
    const system = await systemOf({ DOCKER_HOST: 'unix:///tmp/spawnit-no-such-docker.sock' });
    expect(system.docker.reachable).toBe(false);
    expect(system.warnings).toEqual([system.docker.error]);
    expect(system.warnings[0]).toMatch(
      /^Docker does not answer at unix:\/\/\/tmp\/spawnit-no-such-docker\.sock/,
    );
  });
});
