import type { Pool } from 'pg';

/** A connection pool; the driver is loaded only in the PostgreSQL mode, so one-process starts never pay for it. */
export async function openPool(connectionString: string, max = 10): Promise<Pool> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString, max });
  // A connection the server dropped (a restart) is an event, not a crash of the process: the query on it
  // fails and says so, and the pool opens a new one for the next.
  pool.on('error', () => undefined);
  // The same for a connection in use (a target lock holds one for a whole run): an unheard 'error' would throw.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
