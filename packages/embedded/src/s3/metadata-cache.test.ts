import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheMetadata } from './metadata-cache.js';
import type { FilesystemStore } from './s3rver-internals.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'spawnit-metadata-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** A store whose object is a real file (for its stat) and whose metadata sits in memory, reads counted. */
function storeOn(file: string, metadata: Record<string, string>) {
  const state = { metadata, reads: 0, hold: undefined as Promise<void> | undefined };
  const store = {
    getResourcePath: () => file,
    async getMetadata() {
      state.reads++;
      // What the read saw, handed back when it finishes: a slow read returns what was there at its start.
      const seen = { ...state.metadata };
      await state.hold;
      return seen;
    },
    async putMetadata(_bucket: string, _key: string, next: Record<string, string>) {
      state.metadata = next;
    },
    async deleteObject() {},
  } as unknown as FilesystemStore;
  cacheMetadata(store);
  return { store, state };
}

describe('cacheMetadata', () => {
  it('reads an unchanged object once, and again once the server writes it', async () => {
    const file = join(directory, 'a');
    await writeFile(file, 'one');
    const { store, state } = storeOn(file, { etag: '"1"' });
    expect(await store.getMetadata('b', 'a')).toEqual({ etag: '"1"' });
    expect(await store.getMetadata('b', 'a')).toEqual({ etag: '"1"' });
    expect(state.reads).toBe(1);
    await store.putMetadata('b', 'a', { etag: '"2"' });
    expect(await store.getMetadata('b', 'a')).toEqual({ etag: '"2"' });
    expect(state.reads).toBe(2);
  });

  it('does not keep a read that a write overtook (a listing beside a PUT of the same key)', async () => {
    const file = join(directory, 'b');
    await writeFile(file, 'new object, renamed in before its metadata is written');
    const { store, state } = storeOn(file, { etag: '"old"' });
    let release = () => {};
    state.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The listing reads the old metadata next to the new file, and finishes after the write.
    const listing = store.getMetadata('b', 'b');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.putMetadata('b', 'b', { etag: '"new"' });
    state.hold = undefined;
    release();
    expect(await listing).toEqual({ etag: '"old"' });
    // Same file, same stamp: only the write's clock tells the old read from a good one.
    expect(await store.getMetadata('b', 'b')).toEqual({ etag: '"new"' });
  });

  it('throws for a missing object, as s3rver does', async () => {
    const { store } = storeOn(join(directory, 'missing'), {});
    await expect(store.getMetadata('b', 'missing')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
