import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { decodeAwsChunked } from './aws-chunked.js';
import { parseObjectRoute } from './object-route.js';
import { type S3rverContext, type S3rverMiddleware, s3Error } from './s3rver-internals.js';

/**
 * Makes object uploads (PutObject, UploadPart) store the bytes the client meant:
 * - decodes `aws-chunked` bodies (newer AWS SDKs stream with `STREAMING-UNSIGNED-PAYLOAD-TRAILER`);
 *   s3rver would store the chunk framing as the object's content;
 * - verifies what the client says about the payload (`x-amz-content-sha256`, `Content-MD5`,
 *   `x-amz-checksum-crc32|sha1|sha256` as header or trailer, `x-amz-decoded-content-length`) and fails
 *   the upload, storing nothing, on a mismatch. CRC32C and CRC64NVME checksums are accepted unverified
 *   (node:crypto has no implementation of them).
 */
export function useRequestPayload(): S3rverMiddleware {
  return async function requestPayload(ctx, next) {
    if (!isObjectUpload(ctx)) return next();
    const headers = ctx.request.req.headers;
    const contentSha256 = String(headers['x-amz-content-sha256'] ?? '');
    const encodings = String(headers['content-encoding'] ?? '')
      .split(',')
      .map((encoding) => encoding.trim())
      .filter((encoding) => encoding !== '');
    const streaming = contentSha256.startsWith('STREAMING-') || encodings.includes('aws-chunked');

    const trailers = new Map<string, string>();
    let body: AsyncIterable<Buffer> = ctx.request.req;
    if (streaming) {
      body = decodeAwsChunked(body, trailers);
      // The stored object's Content-Encoding must not claim the transport framing we removed.
      const rest = encodings.filter((encoding) => encoding !== 'aws-chunked');
      if (rest.length > 0) headers['content-encoding'] = rest.join(',');
      else delete headers['content-encoding'];
    }
    ctx.req = Readable.from(verifyPayload(body, expectationsOf(ctx, streaming, trailers)));
    await next();
  };
}

function isObjectUpload(ctx: S3rverContext): boolean {
  if (ctx.method !== 'PUT' || ctx.headers['x-amz-copy-source'] !== undefined) return false;
  if (parseObjectRoute(ctx.path)?.key === undefined) return false;
  const subresources = Object.keys(ctx.query);
  // A plain PutObject, or UploadPart (?partNumber&uploadId); other subresources carry XML documents.
  return subresources.every((name) => name === 'partNumber' || name === 'uploadId' || name.startsWith('x-'));
}

type Algorithm = 'md5' | 'sha256' | 'sha1' | 'crc32';

interface Expectation {
  algorithm: Algorithm;
  encoding: 'hex' | 'base64';
  /** Read at the end of the body: trailer values are only known then. */
  expected: () => string | undefined;
  error: () => Error;
}

interface PayloadExpectations {
  checks: Expectation[];
  decodedLength?: number;
}

function expectationsOf(
  ctx: S3rverContext,
  streaming: boolean,
  trailers: Map<string, string>,
): PayloadExpectations {
  const headers = ctx.request.req.headers;
  const checks: Expectation[] = [];
  const contentSha256 = String(headers['x-amz-content-sha256'] ?? '');
  if (/^[0-9a-fA-F]{64}$/.test(contentSha256)) {
    checks.push({
      algorithm: 'sha256',
      encoding: 'hex',
      expected: () => contentSha256.toLowerCase(),
      error: () =>
        s3Error(
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          400,
        ),
    });
  }
  const contentMd5 = headers['content-md5'];
  if (typeof contentMd5 === 'string') {
    checks.push({
      algorithm: 'md5',
      encoding: 'base64',
      expected: () => contentMd5,
      error: () => s3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400),
    });
  }
  const trailerNames = String(headers['x-amz-trailer'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  for (const algorithm of ['crc32', 'sha1', 'sha256'] as const) {
    const name = `x-amz-checksum-${algorithm}`;
    const inHeader = headers[name];
    if (typeof inHeader !== 'string' && !trailerNames.includes(name)) continue;
    checks.push({
      algorithm,
      encoding: 'base64',
      expected: () => (typeof inHeader === 'string' ? inHeader : trailers.get(name)),
      error: () =>
        s3Error(
          'BadDigest',
          `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
          400,
        ),
    });
  }
  const decoded = headers['x-amz-decoded-content-length'];
  const decodedLength = streaming && typeof decoded === 'string' ? Number(decoded) : undefined;
  return { checks, decodedLength };
}

async function* verifyPayload(
  source: AsyncIterable<Buffer>,
  { checks, decodedLength }: PayloadExpectations,
): AsyncGenerator<Buffer> {
  const hashes = new Map<Algorithm, Hash>();
  let crc = 0;
  for (const { algorithm } of checks) {
    if (algorithm !== 'crc32' && !hashes.has(algorithm)) hashes.set(algorithm, createHash(algorithm));
  }
  let length = 0;
  for await (const chunk of source) {
    for (const hash of hashes.values()) hash.update(chunk);
    if (checks.some(({ algorithm }) => algorithm === 'crc32')) crc = crc32(chunk, crc);
    length += chunk.length;
    yield chunk;
  }
  if (decodedLength !== undefined && decodedLength !== length) {
    throw s3Error(
      'IncompleteBody',
      `You did not provide the number of bytes specified by x-amz-decoded-content-length (${decodedLength}, got ${length}).`,
      400,
    );
  }
  const digests = new Map<Algorithm, Buffer>();
  for (const [algorithm, hash] of hashes) digests.set(algorithm, hash.digest());
  const crcBytes = Buffer.alloc(4);
  crcBytes.writeUInt32BE(crc >>> 0);
  digests.set('crc32', crcBytes);
  for (const check of checks) {
    const expected = check.expected();
    if (expected === undefined) {
      throw s3Error(
        'InvalidRequest',
        `The ${check.algorithm.toUpperCase()} trailer announced in x-amz-trailer is missing.`,
        400,
      );
    }
    const actual = digests.get(check.algorithm)?.toString(check.encoding);
    if (actual !== expected) throw check.error();
  }
}
