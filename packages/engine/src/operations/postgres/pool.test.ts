import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isDatabaseAway, openPool } from './pool.js';

// A server that accepts connections and never says a word: what a database behind a partition looks like
// to a client whose SYN got through, and what a query must not wait on for ever.
const sockets: Socket[] = [];
const silent = createServer((socket) => sockets.push(socket));
let url: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  url = `postgres://spawnit@127.0.0.1:${(silent.address() as { port: number }).port}/spawnit`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

it('fails a query as "database away" once connecting takes longer than the bound', async () => {
  const pool = await openPool(url, 1, 300);
  const started = Date.now();
  const error = await pool.query('SELECT 1').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the query should have failed').toBeDefined();
  expect(isDatabaseAway(error), String(error)).toBe(true);
  expect(Date.now() - started).toBeLessThan(5_000);
  await pool.end();
});
