import type { createListObjects } from './list-objects.js';
import { parseObjectRoute } from './object-route.js';
import { type FilesystemStore, queryParam, type S3rverMiddleware, s3Error } from './s3rver-internals.js';

const MAX_KEYS = 1000;

/**
 * Serves ListObjectsV2 (`GET /bucket?list-type=2`) in place of s3rver, whose continuation tokens are
 * DES-encrypted: Node 17+ (OpenSSL 3) has no DES, so every truncated listing (more keys than
 * `max-keys`, e.g. `MaxKeys: 1` to test a prefix) failed with a 500. Tokens here are the last
 * key, base64url-encoded. Listing itself comes from the store (`createListObjects`).
 */
export function useListObjectsV2(): S3rverMiddleware {
  return async function listObjectsV2(ctx, next) {
    const route = parseObjectRoute(ctx.path);
    if (ctx.method !== 'GET' || !route || route.key !== undefined || queryParam(ctx, 'list-type') !== '2') {
      return next();
    }
    const { bucket } = route;
    if (!(await ctx.store.getBucket(bucket))) {
      throw s3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
    }
    const maxKeysParam = queryParam(ctx, 'max-keys');
    if (maxKeysParam !== undefined && !/^\d+$/.test(maxKeysParam)) {
      throw s3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400, {
        ArgumentName: 'max-keys',
        ArgumentValue: maxKeysParam,
      });
    }
    const maxKeys = Math.min(MAX_KEYS, maxKeysParam === undefined ? MAX_KEYS : Number(maxKeysParam));
    const prefix = queryParam(ctx, 'prefix') ?? '';
    const delimiter = queryParam(ctx, 'delimiter') || undefined;
    const continuationToken = queryParam(ctx, 'continuation-token');
    const startAfter = queryParam(ctx, 'start-after');
    const after = continuationToken !== undefined ? decodeToken(continuationToken) : startAfter;
    const urlEncoded = queryParam(ctx, 'encoding-type') === 'url';
    const encode = (value: string) => (urlEncoded ? encodeURIComponent(value).replace(/%2F/g, '/') : value);

    const result =
      maxKeys === 0
        ? { objects: [], commonPrefixes: [], isTruncated: false, lastEntry: undefined as string | undefined }
        : await listing(ctx.store)(bucket, { prefix, delimiter, startAfter: after, maxKeys });
    const lastKey = result.lastEntry;
    const owner =
      queryParam(ctx, 'fetch-owner') === 'true' ? { ID: 'spawnit', DisplayName: 'spawnit' } : undefined;

    ctx.body = {
      ListBucketResult: {
        '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
        Name: bucket,
        Prefix: encode(prefix),
        Delimiter: delimiter === undefined ? undefined : encode(delimiter),
        MaxKeys: maxKeys,
        KeyCount: result.objects.length + result.commonPrefixes.length,
        IsTruncated: result.isTruncated,
        ContinuationToken: continuationToken,
        NextContinuationToken: result.isTruncated && lastKey !== undefined ? encodeToken(lastKey) : undefined,
        StartAfter: startAfter === undefined ? undefined : encode(startAfter),
        EncodingType: urlEncoded ? 'url' : undefined,
        Contents: result.objects.map((object) => ({
          Key: encode(object.key),
          LastModified: object.lastModifiedDate.toISOString(),
          ETag: object.metadata.etag,
          Size: object.size,
          Owner: owner,
          StorageClass: 'STANDARD',
        })),
        CommonPrefixes: result.commonPrefixes.map((commonPrefix) => ({ Prefix: encode(commonPrefix) })),
      },
    };
  };
}

function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) {
    throw s3Error('InvalidArgument', 'The continuation token provided is incorrect', 400, {
      ArgumentName: 'continuation-token',
    });
  }
  return Buffer.from(token, 'base64url').toString('utf8');
}

/** The store's listing, as `createListObjects` made it (common prefixes count as keys; the page's last entry). */
const listing = (store: FilesystemStore) => store.listObjects as ReturnType<typeof createListObjects>;
