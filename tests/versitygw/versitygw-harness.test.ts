import { rm } from 'node:fs/promises';
import { createS3Store } from '@spawnit/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { startVersitygw } from '../support/versitygw.js';

// The harness itself: a clear error when the binary is missing (never a skip), a start time, a restart that
// keeps the data.

describe('startVersitygw', () => {
  const bin = process.env.SPAWNIT_VERSITYGW_BIN;
  afterEach(() => {
    process.env.SPAWNIT_VERSITYGW_BIN = bin;
  });

  it('names SPAWNIT_VERSITYGW_BIN when it is unset or not a binary', async () => {
    delete process.env.SPAWNIT_VERSITYGW_BIN;
    await expect(startVersitygw()).rejects.toThrow(
      /^SPAWNIT_VERSITYGW_BIN is not set: .* Run scripts\/stack\/build-versitygw\.sh/,
    );
    process.env.SPAWNIT_VERSITYGW_BIN = '/nonexistent/versitygw';
    await expect(startVersitygw()).rejects.toThrow(
      'SPAWNIT_VERSITYGW_BIN=/nonexistent/versitygw is not an executable file',
    );
  });

  it('answers within seconds, with its bucket; a restart keeps the data', async () => {
    const server = await startVersitygw({ bucket: 'harness' });
    const store = createS3Store({
      endpoint: server.endpoint,
      bucket: server.bucket,
      accessKeyId: server.accessKeyId,
      secretAccessKey: server.secretAccessKey,
    });
    try {
      expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.startMs).toBeLessThan(10_000);
      await store.put('kept', 'across a restart');
      await server.stop();
      await expect(store.check()).rejects.toThrow(/cannot be reached/);
      await server.restart();
      expect((await store.get('kept'))?.body.toString()).toBe('across a restart');
      console.info(`[versitygw] started in ${server.startMs} ms after a restart`);
    } finally {
      store.client.destroy();
      await server.stop();
      await rm(server.directory, { recursive: true, force: true });
    }
  });
});
