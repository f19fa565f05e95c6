import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP state backend (tofu's built-in `http` backend) that holds every read until released: a plan of a
 * service with `gate_url` set waits here, so a test can catch the plan mid-run.
 */
export async function startGate() {
  const held: ServerResponse[] = [];
  let open = false;
  let onRequest: (() => void) | undefined;
  let requests = 0;
  const answer = (res: ServerResponse) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        version: 4,
        terraform_version: '1.9.0',
        serial: 1,
        lineage: 'gate',
        outputs: {},
        resources: [],
      }),
    );
  };
  const server = createServer((_req, res) => {
    requests++;
    onRequest?.();
    if (open) answer(res);
    else held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/state`,
    get requests() {
      return requests;
    },
    /** Resolves at the next read that reaches the gate. */
    nextRequest: () => new Promise<void>((resolve) => (onRequest = resolve)),
    /** Answers the held reads and every later one. */
    open() {
      open = true;
      for (const res of held.splice(0)) answer(res);
    },
    close() {
      open = true;
      for (const res of held.splice(0)) answer(res);
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until `check` returns a truthy value. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 60_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}
