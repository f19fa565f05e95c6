import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ContainerEvent, createDriftLoop, createOperations, watchDockerEvents } from '@spawnit/engine';
import { describe, expect, it } from 'vitest';
import { startEngine } from '../support/engine.js';
import { waitFor } from '../support/gate.js';
import { docker, realStack } from '../support/real-stack.js';

// The Docker event stream the drift loop follows: the real dockerd's events of labelled containers, a
// Docker that is absent, and a stream that ends (a Docker restart, which the shared dockerd must not get:
// a stand-in on a unix socket speaks the same protocol for that one).

const DEAD_SOCKET = `unix://${path.join(tmpdir(), `spawnit-no-docker-${process.pid}.sock`)}`;
/** The Debian base image scripts/stack/build-images.sh builds. */
const BASE_IMAGE = 'spawnit-local/debian:trixie';

describe('watchDockerEvents', () => {
  it("reports the real dockerd's events of SpawnIt's containers, with the service they belong to", async () => {
    const events: ContainerEvent[] = [];
    let connected = false;
    const watch = watchDockerEvents({
      host: realStack().dockerHost,
      onEvent: (e) => events.push(e),
      onConnect: () => {
        connected = true;
      },
    });
    const names = [`spawnit-test-ev-plain-${process.pid}`, `spawnit-test-ev-ours-${process.pid}`];
    try {
      await waitFor(() => connected, 'the event stream to open');
      const plain = await docker('run', '-d', '--name', names[0]!, BASE_IMAGE, 'sleep', 'infinity');
      expect(plain.exitCode, plain.stderr).toBe(0);
      const ours = await docker(
        'run',
        '-d',
        '--name',
        names[1]!,
        '--label',
        'managed-by=spawnit',
        '--label',
        'spawnit-client=ev-client',
        '--label',
        'spawnit-service=ev-service',
        BASE_IMAGE,
        'sleep',
        'infinity',
      );
      expect(ours.exitCode, ours.stderr).toBe(0);
      await docker('rm', '-f', names[0]!);
      await docker('rm', '-f', names[1]!);
      const oursId = ours.stdout.trim();
      await waitFor(
        () => events.some((e) => e.action === 'destroy' && e.containerId === oursId),
        'the destroy event',
      );
      // Other tests' SpawnIt containers may come and go on the same dockerd meanwhile: only these two count.
      // The unlabelled one never shows (Docker filters by the managed-by label); `start` is not an event
      // that can be drift.
      expect(events.filter((e) => e.containerId === plain.stdout.trim())).toEqual([]);
      const mine = events.filter((e) => e.containerId === oursId);
      expect(new Set(mine.map((e) => `${e.clientId}/${e.serviceId}`))).toEqual(
        new Set(['ev-client/ev-service']),
      );
      expect(mine.map((e) => e.action)).toEqual(expect.arrayContaining(['kill', 'die', 'destroy']));
      expect(mine.map((e) => e.action)).not.toContain('start');
    } finally {
      watch.stop();
      for (const name of names) await docker('rm', '-f', name);
    }
  });

  it('reports an absent Docker once, however many times it retries', async () => {
    const errors: Error[] = [];
    const watch = watchDockerEvents({
      host: DEAD_SOCKET,
      minBackoffMs: 10,
      maxBackoffMs: 20,
      onEvent: () => {},
      onDisconnect: (error) => errors.push(error),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    watch.stop();
    expect(errors.map((e) => e.message)).toEqual([`Docker does not answer at ${DEAD_SOCKET} (ENOENT)`]);
  });

  it('reconnects when the stream ends, asking for the events it missed', async () => {
    const socket = path.join(tmpdir(), `spawnit-docker-standin-${process.pid}.sock`);
    await rm(socket, { force: true });
    const requests: URL[] = [];
    const event = (time: number, service: string) =>
      `${JSON.stringify({
        Type: 'container',
        Action: 'die',
        Actor: { ID: `c-${service}`, Attributes: { 'spawnit-client': 'acme', 'spawnit-service': service } },
        time,
        timeNano: time * 1e9,
      })}\n`;
    const server = createServer((req: IncomingMessage, res) => {
      requests.push(new URL(req.url ?? '/', 'http://docker'));
      res.writeHead(200, { 'content-type': 'application/json' });
      // The first stream delivers one event and ends (Docker restarting); the second stays open.
      if (requests.length === 1) res.end(event(1_700_000_000, 'first'));
      else res.write(event(1_700_000_005, 'second'));
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    const seen: string[] = [];
    const lost: Error[] = [];
    const watch = watchDockerEvents({
      host: `unix://${socket}`,
      minBackoffMs: 10,
      onEvent: (e) => seen.push(e.serviceId),
      onDisconnect: (error) => lost.push(error),
    });
    try {
      await waitFor(() => seen.length === 2, 'both events');
      expect(seen).toEqual(['first', 'second']);
      expect(lost.map((e) => e.message)).toEqual([`Docker at unix://${socket} closed its event stream`]);
      expect(requests[0]!.searchParams.get('since')).toBeNull();
      expect(requests[1]!.searchParams.get('since')).toBe('1700000000');
      expect(JSON.parse(requests[0]!.searchParams.get('filters')!)).toEqual({
        type: ['container'],
        event: ['die', 'destroy', 'update', 'stop', 'kill', 'rename', 'oom'],
        label: ['managed-by=spawnit'],
      });
    } finally {
      watch.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the drift loop without Docker', () => {
  it('starts, sweeps and stops, reporting once that it falls back to the periodic check', async () => {
    const h = await startEngine({ providerEnv: { DOCKER_HOST: DEAD_SOCKET } });
    const operations = createOperations({ engine: h.engine });
    const errors: unknown[] = [];
    const loop = createDriftLoop({
      engine: h.engine,
      operations,
      intervalMs: 100,
      onError: (e) => errors.push(e),
    });
    try {
      expect(h.engine.dockerHost).toBe(DEAD_SOCKET);
      loop.start();
      await waitFor(() => loop.stats.passes >= 3, 'three passes');
      expect(errors.map((e) => (e as Error).message)).toEqual([
        `Docker does not answer at ${DEAD_SOCKET} (ENOENT); drift falls back to the periodic check until it answers.`,
      ]);
    } finally {
      await loop.stop();
      await operations.shutdown();
      await h.close();
    }
  });
});
