import { EventEmitter } from 'node:events';
import type { Client, Pool } from 'pg';
import type { EngineEvents } from '../events.js';
import type { EventBus, EventName, Unsubscribe } from '../ports.js';

const CHANNEL = 'spawnit_events';
const SCHEMA = `
CREATE TABLE IF NOT EXISTS spawnit_events (
  id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), event text NOT NULL, args jsonb NOT NULL);
`;
/** Events local to a process: log lines travel through the job store's table instead. */
const LOCAL: ReadonlySet<EventName> = new Set(['logLine']);

export interface PostgresEventBus extends EventBus {
  close(): Promise<void>;
}

/**
 * Events between processes: each is a row (NOTIFY payloads are limited to 8,000 bytes; a job record can be
 * larger), announced by NOTIFY with its id. Every process LISTENs on one connection and reads the rows in id
 * order; after a dropped connection it reconnects and reads what it missed, so nothing is lost or doubled.
 */
export async function createPostgresEventBus(options: {
  pool: Pool;
  connectionString: string;
  /** Rows older than this are deleted now and then. @default 600_000 */
  keepMs?: number;
}): Promise<PostgresEventBus> {
  const { pool } = options;
  const { default: pg } = await import('pg');
  await pool.query(SCHEMA);
  const local = new EventEmitter();
  local.setMaxListeners(0);
  let lastId = Number(
    (await pool.query<{ id: string | null }>('SELECT max(id) AS id FROM spawnit_events')).rows[0]?.id ?? 0,
  );
  let listener: Client | undefined;
  let closed = false;
  let reading: Promise<void> = Promise.resolve();
  let publishing: Promise<void> = Promise.resolve();

  const deliver = (event: string, args: unknown[]) => local.emit(event, ...args);

  /** Reads every event after the last delivered, in order; one read at a time. */
  const catchUp = () => {
    reading = reading
      .then(async () => {
        const { rows } = await pool.query<{ id: string; event: string; args: unknown[] }>(
          'SELECT id, event, args FROM spawnit_events WHERE id > $1 ORDER BY id',
          [lastId],
        );
        for (const row of rows) {
          lastId = Number(row.id);
          deliver(row.event, row.args);
        }
      })
      .catch(() => undefined);
    return reading;
  };

  async function listen(): Promise<void> {
    while (!closed) {
      const client = new pg.Client({ connectionString: options.connectionString });
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        listener = client;
        client.on('notification', () => void catchUp());
        // Whatever was published while we were not listening.
        await catchUp();
        await new Promise<void>((resolve) => {
          client.once('error', () => resolve());
          client.once('end', () => resolve());
        });
      } catch {
        // The database is away: try again shortly.
      }
      listener = undefined;
      await client.end().catch(() => undefined);
      if (!closed) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  void listen();
  const sweep = setInterval(
    () =>
      void pool
        .query(`DELETE FROM spawnit_events WHERE at < now() - make_interval(secs => $1)`, [
          (options.keepMs ?? 600_000) / 1000,
        ])
        .catch(() => undefined),
    60_000,
  );
  sweep.unref();

  return {
    publish(event, ...args) {
      if (LOCAL.has(event)) {
        deliver(event, args);
        return;
      }
      // Delivered to this process too, through the table, so every process sees one order; one insert at a
      // time, so ids follow the order of publishing.
      publishing = publishing
        .then(async () => {
          await pool.query(
            `WITH e AS (INSERT INTO spawnit_events (event, args) VALUES ($1, $2) RETURNING id)
             SELECT pg_notify('${CHANNEL}', id::text) FROM e`,
            [event, JSON.stringify(args)],
          );
        })
        .catch(() => {
          // The database is away: this process still hears it; the others miss it.
          deliver(event, args);
        });
    },
    subscribe<E extends EventName>(event: E, listener: (...args: EngineEvents[E]) => void): Unsubscribe {
      const handler = listener as (...args: unknown[]) => void;
      local.on(event, handler);
      return () => void local.off(event, handler);
    },
    async close() {
      closed = true;
      clearInterval(sweep);
      await listener?.end().catch(() => undefined);
    },
  };
}
