import type { KeyedMutex } from './keyed-mutex.js';
import { parseObjectRoute } from './object-route.js';
import {
  type FilesystemStore,
  type S3rverContext,
  type S3rverMiddleware,
  s3Error,
} from './s3rver-internals.js';

/**
 * Honours S3 conditional writes, which s3rver ignores: `If-None-Match: *` (create only if absent)
 * and `If-Match: <etag>` (replace only that version) on PutObject, CopyObject,
 * CompleteMultipartUpload and DeleteObject, answering `412 PreconditionFailed` like S3.
 * Terraform's and OpenTofu's S3 lockfile (`use_lockfile = true`) relies on exactly this.
 *
 * Every write and read of one key runs under `mutex`, so the check and the write are atomic (two
 * concurrent `If-None-Match: *` PUTs cannot both succeed) and a read never sees an object whose
 * content and metadata come from different writes.
 */
export function useConditionalWrites(mutex: KeyedMutex): S3rverMiddleware {
  return async function conditionalWrites(ctx, next) {
    const route = parseObjectRoute(ctx.path);
    const key = route?.key;
    const access = accessOf(ctx);
    if (!route || key === undefined || !access) return next();
    const { bucket } = route;
    await mutex.run(`${bucket}/${key}`, async () => {
      if (access === 'write') await checkPreconditions(ctx, ctx.store, bucket, key);
      await next();
    });
  };
}

function accessOf(ctx: S3rverContext): 'read' | 'write' | undefined {
  const subresources = Object.keys(ctx.query).filter((name) => !name.startsWith('x-'));
  switch (ctx.method) {
    case 'GET':
    case 'HEAD':
      return subresources.every((name) => name === 'versionId' || name.startsWith('response-'))
        ? 'read'
        : undefined;
    case 'PUT':
    case 'DELETE':
      return subresources.length === 0 ? 'write' : undefined;
    case 'POST':
      // CompleteMultipartUpload is the moment a multipart upload becomes the key's object.
      return subresources.length === 1 && subresources[0] === 'uploadId' ? 'write' : undefined;
    default:
      return undefined;
  }
}

async function checkPreconditions(ctx: S3rverContext, store: FilesystemStore, bucket: string, key: string) {
  const ifNoneMatch = ctx.headers['if-none-match'];
  const ifMatch = ctx.headers['if-match'];
  if (ifNoneMatch === undefined && ifMatch === undefined) return;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw s3Error('NotImplemented', 'If-None-Match on writes only supports the value "*".', 501);
  }
  const etag = await currentEtag(store, bucket, key);
  if (ifNoneMatch !== undefined && etag !== undefined) {
    throw preconditionFailed('If-None-Match');
  }
  if (ifMatch !== undefined) {
    if (etag === undefined) {
      throw s3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });
    }
    const wanted = ifMatch.split(',').map((value) => unquote(value.trim()));
    if (!wanted.includes('*') && !wanted.includes(unquote(etag))) throw preconditionFailed('If-Match');
  }
}

async function currentEtag(store: FilesystemStore, bucket: string, key: string): Promise<string | undefined> {
  try {
    return (await store.getMetadata(bucket, key)).etag;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function unquote(etag: string): string {
  return etag.replace(/^W\//, '').replace(/"/g, '');
}

function preconditionFailed(condition: string) {
  return s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
    Condition: condition,
  });
}
