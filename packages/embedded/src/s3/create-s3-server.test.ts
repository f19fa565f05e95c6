import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketCorsCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketCorsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Server, type S3Server } from './create-s3-server.js';

const BUCKET = 'spawnit-test';

let directory: string;
let server: S3Server;
let s3: S3Client;

function clientFor(endpoint: string, secretAccessKey = 'test-secret', maxAttempts?: number): S3Client {
  // The SDK's defaults on purpose (CRC32 checksums on every upload, aws-chunked streams): what the engine gets.
  return new S3Client({
    ...(maxAttempts === undefined ? {} : { maxAttempts }),
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test-key', secretAccessKey },
  });
}

async function failure(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error('expected the S3 request to fail, it succeeded');
}

async function read(key: string, client = s3): Promise<string> {
  const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await object.Body?.transformToString()) ?? '';
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'spawnit-s3-'));
  server = createS3Server({
    directory,
    buckets: [BUCKET],
    accessKeyId: 'test-key',
    secretAccessKey: 'test-secret',
  });
  await server.start();
  s3 = clientFor(server.endpoint);
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe('createS3Server', () => {
  it('listens on a loopback random port', () => {
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.endpoint).not.toMatch(/:0$/);
  });

  it('puts, gets, lists and deletes objects with the AWS SDK v3 defaults', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'crud/a.json', Body: '{"a":1}' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'crud/b.bin', Body: Buffer.from([0, 1, 2]) }));
    expect(await read('crud/a.json')).toBe('{"a":1}');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'crud/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['crud/a.json', 'crud/b.bin']);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'crud/a.json' }));
    const head = await failure(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'crud/a.json' })));
    expect(head.$metadata.httpStatusCode).toBe(404);
  });

  it('stores streamed (aws-chunked, trailing checksum) uploads without the chunk framing', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    const chunks = [content.subarray(0, 1_000_000), content.subarray(1_000_000)];
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'stream/blob',
        Body: Readable.from(chunks),
        ContentLength: content.length,
      }),
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'stream/blob' }));
    expect(object.ContentEncoding).toBeUndefined();
    expect(Buffer.from((await object.Body?.transformToByteArray()) ?? []).equals(content)).toBe(true);
  });

  it('rejects an upload whose checksum does not match, keeping the previous object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'digest/state', Body: 'v1' }));
    const error = await failure(
      s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'digest/state', Body: 'v2', ChecksumCRC32: 'AAAAAA==' }),
      ),
    );
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.name).toBe('BadDigest');
    expect(await read('digest/state')).toBe('v1');
    expect(await readdir(join(directory, 'tmp'))).toEqual([]);
  });

  it('refuses unsigned requests and wrong secrets', async () => {
    const anonymous = await fetch(`${server.endpoint}/${BUCKET}/crud/b.bin`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');

    const intruder = clientFor(server.endpoint, 'not-the-secret');
    const error = await failure(intruder.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'crud/b.bin' })));
    intruder.destroy();
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.name).toBe('SignatureDoesNotMatch');
  });

  it('answers 412 to If-None-Match: * on an existing key and 200 on a new one', async () => {
    const created = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'lock/one.tflock', Body: 'first', IfNoneMatch: '*' }),
    );
    expect(created.$metadata.httpStatusCode).toBe(200);

    const error = await failure(
      s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'lock/one.tflock', Body: 'second', IfNoneMatch: '*' }),
      ),
    );
    expect(error.$metadata.httpStatusCode).toBe(412);
    expect(error.name).toBe('PreconditionFailed');
    expect(await read('lock/one.tflock')).toBe('first');
  });

  it('answers the S3 XML error body on a failed precondition', async () => {
    // The SDK builds the error from the XML body: name, message and Condition all come from it.
    const error = await failure(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lock/one.tflock', Body: 'x', IfNoneMatch: '*' })),
    );
    expect(error.message).toBe('At least one of the pre-conditions you specified did not hold');
    expect((error as S3ServiceException & { Condition?: string }).Condition).toBe('If-None-Match');
  });

  it('replaces only the version named by If-Match', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cas/state', Body: 'v1' }));
    const second = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'cas/state', Body: 'v2', IfMatch: first.ETag }),
    );
    expect(second.ETag).not.toBe(first.ETag);

    const stale = await failure(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cas/state', Body: 'v3', IfMatch: first.ETag })),
    );
    expect(stale.$metadata.httpStatusCode).toBe(412);
    expect(await read('cas/state')).toBe('v2');

    const missing = await failure(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cas/absent', Body: 'v1', IfMatch: first.ETag })),
    );
    expect(missing.$metadata.httpStatusCode).toBe(404);
  });

  it('lets exactly one of many concurrent If-None-Match: * PUTs on a new key win', async () => {
    const contenders = Array.from({ length: 12 }, (_, index) => `contender-${index}`);
    const results = await Promise.allSettled(
      contenders.map((body) =>
        s3.send(
          new PutObjectCommand({ Bucket: BUCKET, Key: 'race/key.tflock', Body: body, IfNoneMatch: '*' }),
        ),
      ),
    );
    const winners = contenders.filter((_, index) => results[index]?.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') {
        expect((result.reason as S3ServiceException).$metadata.httpStatusCode).toBe(412);
      }
    }
    expect(await read('race/key.tflock')).toBe(winners[0]);
  });

  it('applies If-None-Match: * to CompleteMultipartUpload', async () => {
    const complete = async (key: string) => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
      const part = await s3.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: `parts of ${key}` }),
      );
      return s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          IfNoneMatch: '*',
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
    };
    await complete('multipart/object');
    expect(await read('multipart/object')).toBe('parts of multipart/object');
    const error = await failure(complete('multipart/object'));
    expect(error.$metadata.httpStatusCode).toBe(412);
  });

  it('fails (rather than hangs) an UploadPart whose checksum does not match', async () => {
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'multipart/bad' }),
    );
    const error = await failure(
      s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'multipart/bad',
          UploadId,
          PartNumber: 1,
          Body: 'part',
          ChecksumCRC32: 'AAAAAA==',
        }),
      ),
    );
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.name).toBe('BadDigest');
  });

  it('paginates ListObjectsV2 with continuation tokens', async () => {
    const keys = ['page/a', 'page/b', 'page/c', 'page/d', 'page/e'];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    const listed: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: s3, pageSize: 2 },
      { Bucket: BUCKET, Prefix: 'page/' },
    )) {
      expect(page.KeyCount).toBeLessThanOrEqual(2);
      listed.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    }
    expect(listed).toEqual(keys);
  });

  it('answers the ETag and content of the latest write, however reads, listings and writes interleave', async () => {
    const md5 = (body: string) => `"${createHash('md5').update(body).digest('hex')}"`;
    const etagOf = async (key: string) =>
      (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ETag;
    const listedEtag = async (key: string) =>
      (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }))).Contents?.[0]?.ETag;
    // Read once so the metadata is remembered, then overwritten while listings read it.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta/k', Body: 'v0' }));
    expect(await etagOf('meta/k')).toBe(md5('v0'));
    const bodies = Array.from({ length: 12 }, (_, i) => `v${i + 1}`);
    for (const body of bodies) {
      await Promise.all([
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta/k', Body: body })),
        listedEtag('meta/k'),
        listedEtag('meta/k'),
      ]);
      expect(await listedEtag('meta/k')).toBe(md5(body));
      expect(await etagOf('meta/k')).toBe(md5(body));
      expect(await read('meta/k')).toBe(body);
    }
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'meta/k' }));
    const gone = await failure(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta/k' })));
    expect(gone.$metadata.httpStatusCode).toBe(404);
  });

  it('finds a bucket from when it is created until it is deleted, and again once created again', async () => {
    const Bucket = 'made-and-gone';
    const exists = async () => {
      try {
        await s3.send(new HeadBucketCommand({ Bucket }));
        return true;
      } catch (error) {
        if ((error as S3ServiceException).$metadata?.httpStatusCode === 404) return false;
        throw error;
      }
    };
    expect(await exists()).toBe(false);
    await s3.send(new CreateBucketCommand({ Bucket }));
    expect(await exists()).toBe(true);
    await s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v' }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
    await s3.send(new DeleteBucketCommand({ Bucket }));
    expect(await exists()).toBe(false);
    expect((await failure(s3.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v' })))).name).toBe(
      'NoSuchBucket',
    );
    await s3.send(new CreateBucketCommand({ Bucket }));
    expect(await exists()).toBe(true);
  });

  it("answers with a bucket's CORS configuration from when it is set until it is deleted", async () => {
    const corsOf = () => s3.send(new GetBucketCorsCommand({ Bucket: BUCKET }));
    expect((await failure(corsOf())).name).toBe('NoSuchCORSConfiguration');
    const rule = { AllowedOrigins: ['http://127.0.0.1:9999'], AllowedMethods: ['GET'] };
    await s3.send(new PutBucketCorsCommand({ Bucket: BUCKET, CORSConfiguration: { CORSRules: [rule] } }));
    expect((await corsOf()).CORSRules).toMatchObject([rule]);
    const changed = { ...rule, AllowedMethods: ['GET', 'PUT'] };
    await s3.send(new PutBucketCorsCommand({ Bucket: BUCKET, CORSConfiguration: { CORSRules: [changed] } }));
    expect((await corsOf()).CORSRules).toMatchObject([changed]);
    await s3.send(new DeleteBucketCorsCommand({ Bucket: BUCKET }));
    expect((await failure(corsOf())).name).toBe('NoSuchCORSConfiguration');
  });

  it('reads again an object changed on disk behind its back', async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'meta/disk', Body: 'old', ContentType: 'text/plain' }),
    );
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta/disk' }))).ContentType).toBe(
      'text/plain',
    );
    // As an operator restoring a backup would: new content, MD5 and metadata files, in s3rver's layout.
    const file = join(directory, 'buckets', BUCKET, 'meta', 'disk._S3rver_object');
    await writeFile(`${file}.tmp`, 'restored');
    await writeFile(`${file}.md5`, createHash('md5').update('restored').digest('hex'));
    await writeFile(
      join(directory, 'buckets', BUCKET, 'meta', 'disk._S3rver_metadata.json'),
      JSON.stringify({ 'content-type': 'application/json' }),
    );
    await rename(`${file}.tmp`, file);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta/disk' }));
    expect(head.ContentType).toBe('application/json');
    expect(head.ETag).toBe(`"${createHash('md5').update('restored').digest('hex')}"`);
    expect(await read('meta/disk')).toBe('restored');
  });

  it("writes again once its folders are gone: the key's (emptied by a delete) and the uploads' (removed)", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'gone/deep/key', Body: 'first' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gone/deep/key' }));
    expect(await readdir(join(directory, 'buckets', BUCKET))).not.toContain('gone');
    await rm(join(directory, 'tmp'), { recursive: true, force: true });
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'gone/deep/key', Body: 'second' }));
    expect(await read('gone/deep/key')).toBe('second');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'gone/deep/key' }));
    expect(head.ETag).toBe(`"${createHash('md5').update('second').digest('hex')}"`);
  });

  it('deletes several keys of one folder in one DeleteObjects, at the first attempt, and removes the folders they empty', async () => {
    // No retry: a request the server failed once shows as an error here, not as a slow success.
    const once = clientFor(server.endpoint, 'test-secret', 1);
    const keys = Array.from({ length: 6 }, (_, i) => `many/deep/k${i}`);
    for (let round = 0; round < 5; round++) {
      await Promise.all(keys.map((Key) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }))));
      const deleted = await once.send(
        new DeleteObjectsCommand({
          Bucket: BUCKET,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      expect(deleted.$metadata.attempts).toBe(1);
      expect(deleted.Errors ?? []).toEqual([]);
      expect(await readdir(join(directory, 'buckets', BUCKET))).not.toContain('many');
    }
    once.destroy();
  });

  it('keeps every write that lands in a folder while deletes empty it', async () => {
    const once = clientFor(server.endpoint, 'test-secret', 1);
    for (let round = 0; round < 10; round++) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'emptying/dir/old', Body: 'old' }));
      await Promise.all([
        once.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'emptying/dir/old' })),
        once.send(new PutObjectCommand({ Bucket: BUCKET, Key: `emptying/dir/new${round}`, Body: 'new' })),
      ]);
      expect(await read(`emptying/dir/new${round}`, once)).toBe('new');
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'emptying/' }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `emptying/dir/new${i}`).sort(),
    );
    once.destroy();
  });

  it('keeps data across stop and start with the same directory', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'persist/state', Body: 'kept' }));
    await server.stop();
    const { endpoint } = await server.start();
    expect(server.endpoint).toBe(endpoint);
    s3.destroy();
    s3 = clientFor(endpoint);
    expect(await read('persist/state')).toBe('kept');
    const error = await failure(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'persist/state', Body: 'x', IfNoneMatch: '*' })),
    );
    expect(error.$metadata.httpStatusCode).toBe(412);
  });
});
