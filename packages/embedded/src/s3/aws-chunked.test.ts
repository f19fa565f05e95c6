import { describe, expect, it } from 'vitest';
import { decodeAwsChunked } from './aws-chunked.js';

async function decode(pieces: string[]): Promise<{ data: string; trailers: Map<string, string> }> {
  const trailers = new Map<string, string>();
  const out: Buffer[] = [];
  for await (const chunk of decodeAwsChunked(
    (async function* () {
      for (const piece of pieces) yield Buffer.from(piece);
    })(),
    trailers,
  )) {
    out.push(chunk);
  }
  return { data: Buffer.concat(out).toString(), trailers };
}

/** Splits `text` into pieces of `size` bytes, to cross every boundary of the framing. */
function pieces(text: string, size: number): string[] {
  const result: string[] = [];
  for (let index = 0; index < text.length; index += size) result.push(text.slice(index, index + size));
  return result;
}

describe('decodeAwsChunked', () => {
  const unsignedWithTrailer = '5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n';
  const signed =
    `5;chunk-signature=${'a'.repeat(64)}\r\nhello\r\n` +
    `6;chunk-signature=${'b'.repeat(64)}\r\n world\r\n` +
    `0;chunk-signature=${'c'.repeat(64)}\r\n\r\n`;

  it('decodes unsigned chunks with a trailer, however the body is split', async () => {
    for (const size of [1, 2, 3, 7, 1000]) {
      const { data, trailers } = await decode(pieces(unsignedWithTrailer, size));
      expect(data).toBe('hello world');
      expect(trailers.get('x-amz-checksum-crc32')).toBe('DUoRhQ==');
    }
  });

  it('decodes signed chunks (chunk-signature extensions)', async () => {
    for (const size of [1, 5, 1000]) {
      expect((await decode(pieces(signed, size))).data).toBe('hello world');
    }
  });

  it('fails on a truncated body', async () => {
    await expect(decode(['5\r\nhel'])).rejects.toThrow(/ended before the last aws-chunked chunk/);
  });

  it('fails on a malformed chunk size', async () => {
    await expect(decode(['zz\r\nhello\r\n0\r\n\r\n'])).rejects.toThrow(/bad chunk size "zz"/);
  });
});
