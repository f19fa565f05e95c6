import { S3Error } from './s3rver-internals.js';

const CRLF = Buffer.from('\r\n');
/** Longest chunk header or trailer line we accept before calling the body malformed. */
const MAX_LINE = 8 * 1024;

/**
 * Decodes an `aws-chunked` request body (what AWS SDKs send with `x-amz-content-sha256:
 * STREAMING-*`): `<hex size>[;chunk-signature=...]\r\n<data>\r\n` repeated, a zero-size chunk, then
 * optional trailer lines (`x-amz-checksum-crc32:...`) and a blank line. Yields the data; the trailers
 * are added to `trailers` (lower-cased names) before the generator finishes.
 */
export async function* decodeAwsChunked(
  source: AsyncIterable<Buffer | string>,
  trailers: Map<string, string> = new Map(),
): AsyncGenerator<Buffer> {
  let buffer = Buffer.alloc(0);
  let state = 'size' as 'size' | 'data' | 'data-end' | 'trailers' | 'done';
  let remaining = 0;

  for await (const piece of source) {
    buffer = buffer.length === 0 ? Buffer.from(piece) : Buffer.concat([buffer, Buffer.from(piece)]);
    for (;;) {
      if (state === 'size' || state === 'trailers') {
        const end = buffer.indexOf(CRLF);
        if (end === -1) {
          if (buffer.length > MAX_LINE) throw malformed('a chunk header line is too long');
          break;
        }
        const line = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 2);
        if (state === 'size') {
          const sizeText = line.split(';', 1)[0] ?? '';
          if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw malformed(`bad chunk size "${sizeText}"`);
          remaining = Number.parseInt(sizeText, 16);
          state = remaining === 0 ? 'trailers' : 'data';
        } else if (line === '') {
          state = 'done';
        } else {
          const colon = line.indexOf(':');
          if (colon === -1) throw malformed(`bad trailer line "${line}"`);
          trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        }
      } else if (state === 'data') {
        if (buffer.length === 0) break;
        const take = Math.min(remaining, buffer.length);
        yield buffer.subarray(0, take);
        buffer = buffer.subarray(take);
        remaining -= take;
        if (remaining === 0) state = 'data-end';
      } else if (state === 'data-end') {
        if (buffer.length < 2) break;
        if (!buffer.subarray(0, 2).equals(CRLF)) throw malformed('chunk data is not followed by CRLF');
        buffer = buffer.subarray(2);
        state = 'size';
      } else {
        if (buffer.length > 0) throw malformed('data after the final chunk');
        break;
      }
    }
  }
  // Some signers end right after the zero chunk's trailers without the blank line.
  if (state !== 'done' && !(state === 'trailers' && buffer.length === 0)) {
    throw new S3Error('IncompleteBody', 'The request body ended before the last aws-chunked chunk.');
  }
}

function malformed(reason: string): S3Error {
  return new S3Error('InvalidRequest', `Malformed aws-chunked request body: ${reason}.`);
}
