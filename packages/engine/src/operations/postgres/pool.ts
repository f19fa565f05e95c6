import type { Pool } from 'pg';

/** A connection pool; the driver is loaded only in the PostgreSQL mode, so one-process starts never pay for it. */
export async function openPool(
  connectionString: string,
  max = 10,
  /**
   * How long opening a connection may take before it fails as "away": a network partition drops packets
   * rather than refusing them, and without a bound a query would wait for ever. @default 10_000
   */
  connectTimeoutMs = 10_000,
): Promise<Pool> {
  const { default: pg } = await import('pg');
  // TCP keepalive: a connection held for a whole run (a target lock) learns that its peer is gone.
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
  });
  // A connection the server dropped (a restart) is an event, not a crash of the process: the query on it
  // fails and says so, and the pool opens a new one for the next.
  pool.on('error', () => undefined);
  // The same for a connection in use (a target lock holds one for a whole run): an unheard 'error' would throw.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Node's errors for a server that is not there (restarting, or the network between is down). */
const AWAY_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * True when a query failed because the database is away (stopped, restarting, the connection cut), not
 * because of the query: what failed that way can be written again once it is back.
 */
export function isDatabaseAway(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  // 08: connection exceptions; 57P01-57P03: the server shuts down, crashed, or is not up yet.
  if (
    typeof code === 'string' &&
    (code.startsWith('08') || /^57P0[1-3]$/.test(code) || AWAY_CODES.has(code))
  ) {
    return true;
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended/i.test(
      message,
    )
  );
}
