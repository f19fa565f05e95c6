import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type S3rverMiddleware, s3Error } from './s3rver-internals.js';

/** The one key pair the server accepts. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/**
 * Requires every request to carry a valid AWS Signature Version 4 `Authorization` header made with
 * `credentials`. s3rver itself only looks the access key id up and never checks a V4 signature, so
 * without this anyone reaching the port could read and write state.
 */
export function useSignatureV4(credentials: S3Credentials): S3rverMiddleware {
  return async function signatureV4(ctx, next) {
    verifySignatureV4(ctx.request.req, credentials, new Date());
    // s3rver's own auth middleware only runs on requests it sees as signed; we strip the header (it has
    // been checked) and mark the request authenticated the way s3rver does, so that layer stays out.
    delete ctx.request.req.headers.authorization;
    ctx.state.account = { id: credentials.accessKeyId };
    await next();
  };
}

/** Throws the S3 error a real S3 would answer with when `request` is not signed by `credentials`. */
export function verifySignatureV4(request: IncomingMessage, credentials: S3Credentials, now: Date): void {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.searchParams.has('X-Amz-Algorithm') || url.searchParams.has('Signature')) {
    throw s3Error(
      'AccessDenied',
      'Presigned URLs are not supported by this server; sign with the Authorization header.',
    );
  }
  const authorization = request.headers.authorization;
  if (!authorization) throw s3Error('AccessDenied', 'Access Denied: the request is not signed.');
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    throw s3Error(
      'InvalidArgument',
      `Unsupported Authorization type: only ${ALGORITHM} (Signature Version 4) is accepted.`,
    );
  }
  const fields = parseAuthorization(authorization.slice(ALGORITHM.length + 1));
  const [accessKeyId, date, region, service, terminator] = fields.credential.split('/');
  if (!accessKeyId || !date || !region || service !== 's3' || terminator !== 'aws4_request') {
    throw s3Error('AuthorizationHeaderMalformed', `Malformed credential scope: ${fields.credential}`);
  }
  if (accessKeyId !== credentials.accessKeyId) {
    throw s3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  }
  const amzDate = header(request, 'x-amz-date');
  const requestTime = parseAmzDate(amzDate);
  if (requestTime === undefined || !amzDate.startsWith(date)) {
    throw s3Error(
      'AccessDenied',
      'AWS authentication requires a valid x-amz-date header matching the credential scope.',
    );
  }
  if (Math.abs(now.getTime() - requestTime.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw s3Error(
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    );
  }
  const payloadHash = header(request, 'x-amz-content-sha256');
  if (!payloadHash) {
    throw s3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }

  const canonicalRequest = [
    request.method ?? 'GET',
    canonicalUri(url.pathname),
    canonicalQuery(url.search),
    ...fields.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request, name)}`),
    '',
    fields.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const expected = Buffer.from(
    createHmac('sha256', signingKeyOf(credentials, date, region))
      .update(stringToSign)
      .digest('hex'),
  );
  const provided = Buffer.from(fields.signature);
  if (expected.length !== provided.length || !timingSafeEqual(expected, provided)) {
    throw s3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
}

// The key of a day and region: four HMACs derive it, the same for every request of that day.
const signingKeys = new WeakMap<S3Credentials, Map<string, Buffer>>();
function signingKeyOf(credentials: S3Credentials, date: string, region: string): Buffer {
  const keys = signingKeys.get(credentials) ?? new Map<string, Buffer>();
  signingKeys.set(credentials, keys);
  let key = keys.get(`${date}/${region}`);
  if (!key) {
    key = hmac(`AWS4${credentials.secretAccessKey}`, date);
    for (const part of [region, 's3', 'aws4_request']) key = hmac(key, part);
    // Days and regions seen lately only: a client cannot make it grow.
    if (keys.size >= 16) keys.delete(keys.keys().next().value!);
    keys.set(`${date}/${region}`, key);
  }
  return key;
}

function parseAuthorization(value: string): {
  credential: string;
  signedHeaders: string[];
  signature: string;
} {
  const parts = new Map<string, string>();
  for (const part of value.split(',')) {
    const [name, ...rest] = part.trim().split('=');
    if (name) parts.set(name, rest.join('='));
  }
  const credential = parts.get('Credential');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!credential || !signedHeaders || !signature) {
    throw s3Error(
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; it requires Credential, SignedHeaders and Signature.',
    );
  }
  return { credential, signedHeaders: signedHeaders.split(';'), signature };
}

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function canonicalHeaderValue(request: IncomingMessage, name: string): string {
  // Signers join repeated headers with ','; Node would join most of them with ', '.
  const values = request.headersDistinct[name] ?? [];
  return values.map((value) => value.trim().replace(/\s+/g, ' ')).join(',');
}

/** S3 signs the path as sent, each segment URI-encoded once (no normalization, unlike other services). */
function canonicalUri(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => uriEncode(safeDecode(segment)))
    .join('/');
}

function canonicalQuery(search: string): string {
  if (search.length <= 1) return '';
  return search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      const value = equals === -1 ? '' : pair.slice(equals + 1);
      return [uriEncode(safeDecode(name)), uriEncode(safeDecode(value))] as const;
    })
    .sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** RFC 3986 encoding as AWS defines it: everything but unreserved characters is percent-encoded. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}
