import {
  createS3Store,
  ObjectCache,
  probeConditionalWrites,
  type S3Store,
  StoreError,
} from '@spawnit/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStore, type TestS3Kind } from '../support/engine.js';
import type { TestS3Server } from '../support/s3-server.js';

// The engine's S3 store, case for case, on our embedded server and on versitygw (an independent S3 server):
// what the engine relies on must hold on a server we did not write.

const status = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

describe.each<TestS3Kind>(['embedded', 'versitygw'])('the S3 store on %s', (kind) => {
  let server: TestS3Server;
  let store: S3Store;

  beforeAll(async () => {
    ({ server, store } = await startTestStore(kind));
  });
  afterAll(async () => {
    store?.client.destroy();
    await server?.stop();
  });

  it('checks the bucket, and names the endpoint and bucket when it is missing', async () => {
    await store.check();
    const missing = createS3Store({ ...store.options, bucket: 'no-such-bucket' });
    const error = await missing.check().catch((e) => e);
    missing.client.destroy();
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe(
      `S3 check failed on bucket "no-such-bucket" at ${server.endpoint}: the bucket does not exist; create it or set the right bucket name.`,
    );
  });

  it('creates a missing bucket when asked, once, and then finds it like any other', async () => {
    const bucket = `created-${Date.now().toString(36)}`;
    const fresh = createS3Store({ ...store.options, bucket });
    expect(await fresh.check({ createBucket: true })).toEqual({ created: true });
    expect(await fresh.check({ createBucket: true })).toEqual({ created: false });
    await fresh.put('probe', 'written');
    expect((await fresh.get('probe'))?.body.toString()).toBe('written');
    await fresh.deletePrefix('');
  });

  it('says the credentials are wrong when they are', async () => {
    const wrong = createS3Store({ ...store.options, secretAccessKey: 'not-the-secret' });
    const error = await wrong.put('x', 'y').catch((e) => e);
    wrong.client.destroy();
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(
      /access denied \((SignatureDoesNotMatch|AccessDenied)\); check the S3 credentials/,
    );
  });

  it('writes and reads objects with their metadata; a missing key is undefined', async () => {
    await store.putJson('clients/a/services/web/terraform.tfvars.json', {
      params: { message: 'héllo ${x}' },
    });
    await store.put('clients/a/services/web/plans/p1', new Uint8Array([0, 1, 2, 255]), {
      metadata: { 'plan-id': 'p1' },
    });
    expect(await store.getJson('clients/a/services/web/terraform.tfvars.json')).toEqual({
      params: { message: 'héllo ${x}' },
    });
    const plan = await store.get('clients/a/services/web/plans/p1');
    expect([...plan!.body]).toEqual([0, 1, 2, 255]);
    expect(plan!.metadata).toEqual({ 'plan-id': 'p1' });
    expect(plan!.etag).toMatch(/^"[^"]+"$/);
    expect(plan!.lastModified).toBeInstanceOf(Date);
    expect(await store.get('clients/a/services/nope/terraform.tfvars.json')).toBeUndefined();
  });

  it('with a cache, answers the reads of chosen keys from what it last read or wrote, as S3 would', async () => {
    const cached = createS3Store(store.options, {
      cache: new ObjectCache((key) => key.endsWith('.tfvars.json')),
    });
    let requests = 0;
    cached.client.middlewareStack.add(
      (next) => (args) => {
        requests += 1;
        return next(args);
      },
      { step: 'initialize' },
    );
    const key = 'clients/c/services/web/terraform.tfvars.json';
    await cached.put(key, '{"params":{}}', { metadata: { 'Created-At': '2026-11-30T00:00:00.000Z' } });
    expect(requests).toBe(1);
    const fromS3 = await store.get(key);
    const kept = await cached.get(key);
    expect(requests).toBe(1);
    expect({ ...kept, lastModified: undefined }).toEqual({ ...fromS3, lastModified: undefined });

    // Not a chosen key: every read goes to S3.
    await cached.put('clients/c/services/web/terraform.tfstate', '{}');
    await cached.get('clients/c/services/web/terraform.tfstate');
    await cached.get('clients/c/services/web/terraform.tfstate');
    expect(requests).toBe(4);

    // Deleted through the store: read again from S3, and found gone.
    expect(await cached.deletePrefix('clients/c/')).toBe(2);
    expect(await cached.get(key)).toBeUndefined();
    cached.client.destroy();
  });

  it('lists keys and folders under a prefix, then deletes the prefix', async () => {
    await store.put('clients/b/services/one/terraform.tfvars.json', '{}');
    await store.put('clients/b/services/two/terraform.tfvars.json', '{}');
    await store.put('clients/b/services/two/terraform.tfstate', '{}');
    await store.put('clients/b/networks/local/default/terraform.tfvars.json', '{}');
    expect(await store.listFolders('clients/b/services/')).toEqual(['one', 'two']);
    expect(await store.listFolders('clients/')).toEqual(expect.arrayContaining(['a', 'b']));
    const listed = (await store.list('clients/b/services/two/')).map((o) => o.key);
    expect(listed.sort()).toEqual([
      'clients/b/services/two/terraform.tfstate',
      'clients/b/services/two/terraform.tfvars.json',
    ]);
    expect(await store.deletePrefix('clients/b/services/')).toBe(3);
    expect(await store.list('clients/b/services/')).toEqual([]);
    expect(await store.listFolders('clients/b/')).toEqual(['networks']);
    await store.deleteKeys(['clients/b/networks/local/default/terraform.tfvars.json', 'clients/b/never-was']);
    expect(await store.list('clients/b/')).toEqual([]);
  });

  it('pages through more keys than one listing holds', async () => {
    const keys = Array.from({ length: 1005 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => store.put(key, 'x')));
    }
    expect((await store.list('many/')).map((o) => o.key)).toEqual(keys);
    expect(await store.deletePrefix('many/')).toBe(1005);
  });

  it('creates with If-None-Match: * only once: 412 for the second, the first kept', async () => {
    await store.put('locks/one', 'first', { ifNoneMatch: true });
    const error = await store.put('locks/one', 'second', { ifNoneMatch: true }).catch((e) => e);
    expect(status(error)).toBe(412);
    expect((await store.get('locks/one'))!.body.toString()).toBe('first');
    // An unconditional write still replaces it.
    await store.put('locks/one', 'third');
    expect((await store.get('locks/one'))!.body.toString()).toBe('third');
  });

  it('lets exactly one of many concurrent conditional creates win', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => `writer-${i}`);
    const results = await Promise.allSettled(
      bodies.map((body) => store.put('locks/race.tflock', body, { ifNoneMatch: true })),
    );
    const winners = bodies.filter((_, i) => results[i]!.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(status(result.reason)).toBe(412);
    }
    expect((await store.get('locks/race.tflock'))!.body.toString()).toBe(winners[0]);
  });

  it("the engine's lock probe says conditional writes hold, and leaves nothing behind", async () => {
    expect(await probeConditionalWrites(store)).toBe(true);
    expect(await store.list('.spawnit/')).toEqual([]);
  });
});
