import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The kernel hands outgoing connections ports from its ephemeral range (32768-60999 on Linux by default): a
 * port picked there is free when probed, but any connection of any test may take it before the server that
 * asked for it listens (seconds later, for a stack that starts its other parts first), and that server then
 * fails with EADDRINUSE. Ports are picked below the range, where only another `freePort` can take one.
 */
const EPHEMERAL_LOW = (() => {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32_768;
  } catch {
    return 32_768;
  }
})();
const LOW = Math.min(20_000, Math.max(1_024, EPHEMERAL_LOW - 10_000));

async function listens(port: number): Promise<number | undefined> {
  const probe = createServer();
  const bound = await new Promise<number | undefined>((resolve) => {
    probe.once('error', () => resolve(undefined));
    probe.listen(port, '127.0.0.1', () => resolve((probe.address() as { port: number }).port));
  });
  if (bound !== undefined) await new Promise<void>((resolve) => probe.close(() => resolve()));
  return bound;
}

/** A port free on 127.0.0.1 right now, for a server or a published container port. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200 && LOW < EPHEMERAL_LOW; attempt++) {
    const found = await listens(LOW + Math.floor(Math.random() * (EPHEMERAL_LOW - LOW)));
    if (found !== undefined) return found;
  }
  // No free port below the range (or no room there): one the OS picks.
  const found = await listens(0);
  if (found === undefined) throw new Error('Could not bind any port on 127.0.0.1 for a test server.');
  return found;
}
