import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { StoreError } from '../errors.js';
import type { ObjectCache } from './object-cache.js';

/** The store refused a conditional write (`If-None-Match` / `If-Match`): the caller decides what that means. */
export const isPreconditionFailed = (error: unknown): boolean =>
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 412;

export interface S3StoreOptions {
  /**
   * S3 endpoint URL, e.g. `http://127.0.0.1:9000` for MinIO. Leave unset for AWS S3.
   */
  endpoint?: string;
  /** @default 'us-east-1' */
  region?: string;
  bucket: string;
  /** Static credentials; when unset the AWS SDK's default chain is used. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /**
   * Address buckets as `endpoint/bucket` rather than `bucket.endpoint`; MinIO and most S3-compatible servers
   * want it. @default true when `endpoint` is set
   */
  forcePathStyle?: boolean;
}

export interface StoredObject {
  body: Buffer;
  metadata: Record<string, string>;
  lastModified: Date | undefined;
  etag: string | undefined;
}

export interface ListedObject {
  key: string;
  lastModified: Date | undefined;
  size: number;
  etag: string | undefined;
}

export interface PutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** Write only when the key does not exist yet (`If-None-Match: *`). */
  ifNoneMatch?: boolean;
  /** Write only over this version of the key (`If-Match: <etag>`). */
  ifMatch?: string;
}

/** The slice of S3 the engine needs. Every failure is a `StoreError` that names the endpoint and bucket. */
export interface S3Store {
  readonly bucket: string;
  readonly endpoint: string;
  readonly region: string;
  readonly forcePathStyle: boolean;
  readonly client: S3Client;
  readonly options: Readonly<S3StoreOptions>;
  get(key: string): Promise<StoredObject | undefined>;
  getJson<T>(key: string): Promise<T | undefined>;
  /** Resolves to the written object's ETag, when the server gives one. */
  put(key: string, body: string | Uint8Array, options?: PutOptions): Promise<string | undefined>;
  putJson(key: string, value: unknown, options?: PutOptions): Promise<string | undefined>;
  /**
   * Every object under a prefix, with the ETag the listing gives (so a caller can tell what changed); with
   * `shallow`, only those right below it, not those in its "folders".
   */
  list(prefix: string, options?: { shallow?: boolean }): Promise<ListedObject[]>;
  /** Lists the "folders" right below a prefix (ending in `/`), as their names. */
  listFolders(prefix: string): Promise<string[]>;
  deletePrefix(prefix: string): Promise<number>;
  deleteKeys(keys: string[]): Promise<void>;
  /**
   * Fails with a clear error when the endpoint cannot be reached or the bucket is missing; with `createBucket`,
   * a missing bucket is created instead (a self-deployed S3 server starts empty). Says whether it created it.
   */
  check(options?: { createBucket?: boolean }): Promise<{ created: boolean }>;
}

/**
 * @param settings.cache Objects this process reads and writes, kept in memory: only for a store it is the only
 *   writer of (see `ObjectCache`).
 */
export function createS3Store(options: S3StoreOptions, settings: { cache?: ObjectCache } = {}): S3Store {
  const { cache } = settings;
  const region = options.region ?? 'us-east-1';
  const forcePathStyle = options.forcePathStyle ?? options.endpoint !== undefined;
  const endpoint = options.endpoint ?? `https://s3.${region}.amazonaws.com`;
  const client = new S3Client({
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle,
    ...(options.accessKeyId && options.secretAccessKey
      ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
      : {}),
    // S3-compatible servers differ in checksum support; ask for checksums only where S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
    // Each command's middleware is put together once, not on every request: half a millisecond of CPU per
    // request otherwise, paid by every step, drift check and job record. The store never changes its stack.
    cacheMiddleware: true,
  });
  const where = `bucket "${options.bucket}" at ${endpoint}`;

  function fail(action: string, error: unknown): never {
    const e = error as S3ServiceException & { code?: string };
    const name = e?.name ?? '';
    let reason: string;
    if (name === 'NoSuchBucket' || e?.$metadata?.httpStatusCode === 404) {
      reason = `the bucket does not exist; create it or set the right bucket name`;
    } else if (
      ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(e?.code ?? '') ||
      ['TimeoutError', 'AbortError'].includes(name) ||
      /ECONNREFUSED|ENOTFOUND|socket hang up|connect/i.test(e?.message ?? '')
    ) {
      reason = 'the S3 endpoint cannot be reached; check that it is running and the endpoint is right';
    } else if (name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
      reason = `access denied (${name}); check the S3 credentials`;
    } else {
      reason = `${name || 'error'}: ${e?.message ?? String(error)}`;
    }
    throw new StoreError(`S3 ${action} failed on ${where}: ${reason}.`, endpoint, options.bucket, {
      cause: error,
    });
  }

  async function get(key: string): Promise<StoredObject | undefined> {
    if (!cache) return read(key);
    const kept = cache.get(key);
    if (kept) return kept;
    const keep = cache.reading(key);
    const found = await read(key);
    keep(found);
    return found;
  }

  async function read(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
      const bytes = await out.Body!.transformToByteArray();
      return {
        body: Buffer.from(bytes),
        metadata: out.Metadata ?? {},
        lastModified: out.LastModified,
        etag: out.ETag,
      };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as Error)?.name === 'NoSuchKey') return undefined;
      fail(`read of "${key}"`, error);
    }
  }

  async function put(
    key: string,
    body: string | Uint8Array,
    putOptions: PutOptions = {},
  ): Promise<string | undefined> {
    // Only a kept key pays for a copy of its body.
    const written = cache?.cacheable(key) ? cache.writing(key) : undefined;
    let etag: string | undefined;
    try {
      etag = await write(key, body, putOptions);
    } catch (error) {
      written?.(undefined);
      throw error;
    }
    written?.({
      body: Buffer.from(body),
      // As S3 gives them back: user metadata names in lower case.
      metadata: Object.fromEntries(
        Object.entries(putOptions.metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
      ),
      lastModified: new Date(),
      etag,
    });
    return etag;
  }

  async function write(
    key: string,
    body: string | Uint8Array,
    putOptions: PutOptions,
  ): Promise<string | undefined> {
    try {
      const out = await client.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: key,
          Body: body,
          ContentType: putOptions.contentType ?? 'application/octet-stream',
          Metadata: putOptions.metadata,
          ...(putOptions.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
          ...(putOptions.ifMatch ? { IfMatch: putOptions.ifMatch } : {}),
        }),
      );
      return out.ETag;
    } catch (error) {
      if (isPreconditionFailed(error)) throw error;
      fail(`write of "${key}"`, error);
    }
  }

  async function list(prefix: string, listOptions: { shallow?: boolean } = {}) {
    const items: ListedObject[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await client.send(
          new ListObjectsV2Command({
            Bucket: options.bucket,
            Prefix: prefix,
            ContinuationToken: token,
            ...(listOptions.shallow ? { Delimiter: '/' } : {}),
          }),
        );
        for (const o of out.Contents ?? []) {
          if (o.Key) {
            items.push({ key: o.Key, lastModified: o.LastModified, size: o.Size ?? 0, etag: o.ETag });
          }
        }
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      fail(`listing of "${prefix}"`, error);
    }
    return items;
  }

  async function listFolders(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await client.send(
          new ListObjectsV2Command({
            Bucket: options.bucket,
            Prefix: prefix,
            Delimiter: '/',
            ContinuationToken: token,
          }),
        );
        for (const p of out.CommonPrefixes ?? []) {
          if (p.Prefix) names.push(p.Prefix.slice(prefix.length, -1));
        }
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      fail(`listing of "${prefix}"`, error);
    }
    return names;
  }

  async function deleteKeys(keys: string[]): Promise<void> {
    const deleted = cache ? keys.map((key) => cache.writing(key)) : [];
    try {
      await remove(keys);
    } finally {
      for (const end of deleted) end(undefined);
    }
  }

  async function remove(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      try {
        await client.send(
          new DeleteObjectsCommand({
            Bucket: options.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
      } catch (error) {
        fail(`deletion of ${batch.length} objects`, error);
      }
    }
  }

  return {
    bucket: options.bucket,
    endpoint,
    region,
    forcePathStyle,
    client,
    options,
    get,
    async getJson<T>(key: string) {
      const object = await get(key);
      if (!object) return undefined;
      try {
        return JSON.parse(object.body.toString('utf8')) as T;
      } catch (error) {
        throw new StoreError(
          `S3 object "${key}" in ${where} is not valid JSON; restore it from a backup or delete it.`,
          endpoint,
          options.bucket,
          { cause: error },
        );
      }
    },
    put,
    putJson: (key, value, putOptions = {}) =>
      put(key, `${JSON.stringify(value, null, 2)}\n`, { contentType: 'application/json', ...putOptions }),
    list,
    listFolders,
    deleteKeys,
    async deletePrefix(prefix: string) {
      cache?.dropPrefix(prefix);
      const keys = (await list(prefix)).map((o) => o.key);
      await deleteKeys(keys);
      return keys.length;
    },
    async check(checkOptions = {}) {
      try {
        await client.send(new HeadBucketCommand({ Bucket: options.bucket }));
        return { created: false };
      } catch (error) {
        if (!checkOptions.createBucket || (error as S3ServiceException)?.$metadata?.httpStatusCode !== 404) {
          fail('check', error);
        }
      }
      try {
        await client.send(new CreateBucketCommand({ Bucket: options.bucket }));
      } catch (error) {
        // Another replica created it between the two calls: the bucket is there, which is what was asked.
        if ((error as S3ServiceException)?.name !== 'BucketAlreadyOwnedByYou') fail('create', error);
      }
      return { created: true };
    },
  };
}
