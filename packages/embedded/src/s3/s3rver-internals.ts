import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import S3Error from 's3rver/lib/models/error.js';

export { S3Error };

/** The stored form of an object, as s3rver's filesystem store hands it around. */
export interface StoredObject {
  bucket: string;
  key: string;
  content: Readable | Buffer | null;
  metadata: Record<string, string>;
  readonly size: number;
  readonly lastModifiedDate: Date;
}

/** The slice of s3rver's `FilesystemStore` that SpawnIt's middleware calls. */
export interface FilesystemStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getBucketPath(bucket: string): string;
  getBucket(bucket: string): Promise<{ name: string } | null>;
  putBucket(bucket: string): Promise<unknown>;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  deleteObject(bucket: string, key: string): Promise<void>;
  deleteBucket(bucket: string): Promise<void>;
  /** A bucket's (key undefined) or an object's configuration: CORS, website, tagging; null when unset. */
  getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown>;
  putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void>;
  deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  putPart(
    bucket: string,
    uploadId: string,
    partNumber: number | string,
    content: StoredObject['content'],
  ): Promise<{ size: number; md5: string }>;
  listObjects(
    bucket: string,
    options: { prefix?: string; delimiter?: string; startAfter?: string; maxKeys?: number },
  ): Promise<{ objects: StoredObject[]; commonPrefixes: string[]; isTruncated: boolean }>;
}

/** The slice of a Koa context that SpawnIt's middleware uses (s3rver is a Koa app). */
export interface S3rverContext {
  method: string;
  /** The raw, still percent-encoded path. */
  path: string;
  querystring: string;
  query: Record<string, string | string[] | undefined>;
  headers: IncomingHttpHeaders;
  /** s3rver's controllers read request bodies from `ctx.req`, so replacing it rewrites the body they see. */
  req: Readable;
  request: { req: IncomingMessage };
  state: Record<string, unknown>;
  status: number;
  body: unknown;
  store: FilesystemStore;
}

export type S3rverMiddleware = (ctx: S3rverContext, next: () => Promise<void>) => Promise<void>;

/** What an `S3rver` instance is at run time besides its typed API: a Koa app with a store. */
export interface S3rverInternals {
  middleware: S3rverMiddleware[];
  store: FilesystemStore;
}

/** Reads a single-valued query parameter; S3 never repeats the ones we read. */
export function queryParam(ctx: S3rverContext, name: string): string | undefined {
  const value = ctx.query[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Creates an S3Error with a status s3rver's table lacks (it defaults unknown codes to 500). */
export function s3Error(
  code: string,
  message: string,
  status?: number,
  detail?: Record<string, string>,
): S3Error {
  const error = new S3Error(code, message, detail);
  if (status !== undefined) error.status = status;
  return error;
}
