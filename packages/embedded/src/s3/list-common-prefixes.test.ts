import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createS3Server, type S3Server } from './create-s3-server.js';

let directory: string;
let server: S3Server;
let s3: S3Client;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'spawnit-s3-prefixes-'));
  server = createS3Server({ directory, buckets: ['b'] });
  const { endpoint } = await server.start();
  s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  for (const key of [
    'clients/alice/services/db/a.json',
    'clients/alice/x.json',
    'clients/bob/jobs/1.json',
    'top.json',
  ]) {
    await s3.send(new PutObjectCommand({ Bucket: 'b', Key: key, Body: '{}' }));
  }
});
afterAll(async () => {
  s3?.destroy();
  await server?.stop();
  await rm(directory, { recursive: true, force: true });
});

const list = async (Prefix: string, MaxKeys?: number, ContinuationToken?: string) => {
  const out = await s3.send(
    new ListObjectsV2Command({ Bucket: 'b', Prefix, Delimiter: '/', MaxKeys, ContinuationToken }),
  );
  return {
    prefixes: (out.CommonPrefixes ?? []).map((p) => p.Prefix),
    keys: (out.Contents ?? []).map((o) => o.Key),
    next: out.NextContinuationToken,
  };
};

it('reports common prefixes whose objects all sit several levels down', async () => {
  expect(await list('clients/')).toEqual({
    prefixes: ['clients/alice/', 'clients/bob/'],
    keys: [],
    next: undefined,
  });
  expect(await list('')).toEqual({ prefixes: ['clients/'], keys: ['top.json'], next: undefined });
  expect(await list('clients/alice/')).toEqual({
    prefixes: ['clients/alice/services/'],
    keys: ['clients/alice/x.json'],
    next: undefined,
  });
});

it('pages through common prefixes, each counting as one key', async () => {
  const first = await list('clients/', 1);
  expect(first.prefixes).toEqual(['clients/alice/']);
  expect(first.next).toBeDefined();
  const second = await list('clients/', 1, first.next);
  expect(second.prefixes).toEqual(['clients/bob/']);
});

it('starts from a prefix that ends inside a name, and lists every key below a prefix without a delimiter', async () => {
  expect(await list('clients/al')).toEqual({ prefixes: ['clients/alice/'], keys: [], next: undefined });
  expect(await list('t')).toEqual({ prefixes: [], keys: ['top.json'], next: undefined });
  expect(await list('clients/nobody/')).toEqual({ prefixes: [], keys: [], next: undefined });
  const out = await s3.send(new ListObjectsV2Command({ Bucket: 'b', Prefix: 'clients/' }));
  expect((out.Contents ?? []).map((o) => [o.Key, o.Size])).toEqual([
    ['clients/alice/services/db/a.json', 2],
    ['clients/alice/x.json', 2],
    ['clients/bob/jobs/1.json', 2],
  ]);
});

it('groups by a delimiter other than "/", and keeps a key that ends with "/"', async () => {
  await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'marks/folder/', Body: '' }));
  await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'marks/a.b.c', Body: 'x' }));
  await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'marks/a.d', Body: 'x' }));
  expect(await list('marks/')).toEqual({
    prefixes: ['marks/folder/'],
    keys: ['marks/a.b.c', 'marks/a.d'],
    next: undefined,
  });
  const dots = await s3.send(new ListObjectsV2Command({ Bucket: 'b', Prefix: 'marks/', Delimiter: '.' }));
  expect((dots.CommonPrefixes ?? []).map((p) => p.Prefix)).toEqual(['marks/a.']);
  expect((dots.Contents ?? []).map((o) => o.Key)).toEqual(['marks/folder/']);
});
