// What one request to the embedded S3 server costs, wall time and CPU (client and server, both in this
// process), next to the same requests through the same client to a bare Node HTTP server that answers the same
// bytes from memory: the baseline is what HTTP and the AWS SDK cost, the rest is the server's own. Every
// engine step, drift check and job record pays it.
//   npx --yes pnpm@10.34.8 bench:s3 [rounds]
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createS3Server } from '@spawnit/embedded';
import { createS3Store, type S3Store } from '@spawnit/engine';
import { median, pool } from './support.js';

const rounds = Number(process.argv[2] ?? 5);
const LISTED = 1_000;
const body = Buffer.from(JSON.stringify({ version: 4, serial: 7, resources: [] }));
const etag = `"${createHash('md5').update(body).digest('hex')}"`;
const modified = new Date().toUTCString();
const keys = Array.from(
  { length: LISTED },
  (_, i) => `clients/c${i % 10}/jobs/${String(i).padStart(4, '0')}.json`,
);

// The same answers the embedded server gives, from memory.
const listXml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>spawnit</Name><Prefix>clients/</Prefix><MaxKeys>1000</MaxKeys><KeyCount>${LISTED}</KeyCount><IsTruncated>false</IsTruncated>${keys
  .sort()
  .map(
    (key) =>
      `<Contents><Key>${key}</Key><LastModified>${new Date().toISOString()}</LastModified><ETag>${etag}</ETag><Size>${body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
  )
  .join('')}</ListBucketResult>`;
const bare = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    if (request.method === 'PUT') {
      response.writeHead(200, { ETag: etag, 'Content-Length': 0 }).end();
    } else if (request.url?.includes('list-type=2')) {
      response.writeHead(200, { 'Content-Type': 'application/xml' }).end(listXml);
    } else {
      const headers = {
        ETag: etag,
        'Last-Modified': modified,
        'Content-Type': 'application/json',
        'Content-Length': body.length,
      };
      response.writeHead(200, headers).end(request.method === 'HEAD' ? undefined : body);
    }
  });
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const scratch = await mkdtemp(path.join(tmpdir(), 'spawnit-bench-s3-'));
const embedded = createS3Server({ directory: scratch, buckets: ['spawnit'] });
const { endpoint } = await embedded.start();
const storeOf = (url: string) => createS3Store({ endpoint: url, bucket: 'spawnit', ...embedded.credentials });
const stores: Record<'embedded' | 'bare', S3Store> = {
  embedded: storeOf(endpoint),
  bare: storeOf(`http://127.0.0.1:${(bare.address() as AddressInfo).port}`),
};
try {
  await pool(keys, 8, (key) => stores.embedded.put(key, body));
  const operations: [name: string, times: number, run: (store: S3Store) => Promise<unknown>][] = [
    ['GET (a state)', 200, (store) => store.get(keys[0]!)],
    ['PUT (a job record)', 100, (store) => store.put('clients/c0/jobs/record.json', body)],
    [`LIST of ${LISTED} keys`, 5, (store) => store.list('clients/')],
  ];
  const figures: Record<string, Record<string, { wall: number[]; cpu: number[] }>> = {};
  for (let round = 0; round <= rounds; round++) {
    for (const [name, times, run] of operations) {
      // Interleaved, so both see the same machine; the first round warms up and is not counted.
      for (const side of ['embedded', 'bare'] as const) {
        const cpu0 = process.cpuUsage();
        const t = performance.now();
        for (let i = 0; i < times; i++) await run(stores[side]);
        const wall = (performance.now() - t) / times;
        const { user, system } = process.cpuUsage(cpu0);
        if (round === 0) continue;
        figures[name] ??= {};
        figures[name][side] ??= { wall: [], cpu: [] };
        const of = figures[name][side];
        of.wall.push(wall);
        of.cpu.push((user + system) / 1000 / times);
      }
    }
  }
  console.log(`one request through the engine's S3 client, median of ${rounds} rounds:`);
  console.log(
    `  ${'request'.padEnd(20)} ${'embedded'.padStart(9)} ${'bare'.padStart(8)} ${'ratio'.padStart(6)}   ${'CPU embedded'.padStart(12)} ${'bare'.padStart(8)} ${'ratio'.padStart(6)}`,
  );
  for (const [name] of operations) {
    const { embedded: e, bare: b } = figures[name]!;
    const [ew, bw, ec, bc] = [median(e!.wall), median(b!.wall), median(e!.cpu), median(b!.cpu)];
    console.log(
      `  ${name.padEnd(20)} ${ew.toFixed(2).padStart(6)} ms ${bw.toFixed(2).padStart(5)} ms ${`${(ew / bw).toFixed(2)}x`.padStart(6)}   ${ec.toFixed(2).padStart(9)} ms ${bc.toFixed(2).padStart(5)} ms ${`${(ec / bc).toFixed(2)}x`.padStart(6)}`,
    );
  }
  console.log('  (bare: a Node HTTP server answering the same bytes from memory; CPU: client and server)');

  // A job's requests come after a pause (tofu ran meanwhile), not back to back: the same requests after 100 ms
  // of idling, on both servers, so a slowdown the bare server shares is the machine's, not the S3 server's.
  const idle: Record<string, Record<string, number[]>> = {};
  for (let i = 0; i < 20; i++) {
    for (const [name, , run] of operations.slice(0, 2)) {
      for (const side of ['embedded', 'bare'] as const) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const t = performance.now();
        await run(stores[side]);
        idle[name] ??= {};
        idle[name][side] ??= [];
        idle[name][side].push(performance.now() - t);
      }
    }
  }
  console.log(
    "the same request after 100 ms of idling (as between a job's steps and its tofu), median of 20:",
  );
  for (const [name, { embedded: e, bare: b }] of Object.entries(idle)) {
    const [ew, bw] = [median(e!), median(b!)];
    const warm = median(figures[name]!.embedded!.wall);
    console.log(
      `  ${name.padEnd(20)} ${ew.toFixed(2).padStart(6)} ms ${bw.toFixed(2).padStart(5)} ms ${`${(ew / bw).toFixed(2)}x`.padStart(6)}   (${(ew / warm).toFixed(2)}x the embedded figure back to back)`,
    );
  }
} finally {
  for (const store of Object.values(stores)) store.client.destroy();
  await embedded.stop();
  bare.close();
  await rm(scratch, { recursive: true, force: true });
}
