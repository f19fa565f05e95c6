import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Client, Pool } from 'pg';
import type { EngineEvents } from '../events.js';
import type { EventBus, EventName, Unsubscribe } from '../ports.js';
import { isDatabaseAway } from './pool.js';

const CHANNEL = 'spawnit_events';
const SCHEMA = `
CREATE TABLE IF NOT EXISTS spawnit_events (
  id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), event text NOT NULL, args jsonb NOT NULL,
  key text UNIQUE);
`;
/**
 * One insert at a time across processes (a transaction lock, in the two-key space the target locks do not
 * use): ids then commit in their order, so a reader past id n never finds a smaller one committed later.
 */
const INSERT_EVENT = `
WITH e AS (
  INSERT INTO spawnit_events (key, event, args)
  SELECT $1, $2, $3 FROM (SELECT pg_advisory_xact_lock(5357, 1)) AS held
  ON CONFLICT (key) DO NOTHING RETURNING id)
SELECT pg_notify('${CHANNEL}', id::text) FROM e`;
/** Events local to a process: log lines travel through the job store's table instead. */
const LOCAL: ReadonlySet<EventName> = new Set(['logLine']);

export interface PostgresEventBus extends EventBus {
  /**
   * Runs a database write in order with the events published before and after it. While the database is
   * away the write is kept with them (only the latest of one `key`) and made first once it is back; resolves
   * once written or kept, rejects when the database refuses the write itself.
   */
  write(key: string, write: () => Promise<void>): Promise<void>;
  /** Resolves once nothing waits to be written (or `signal` aborts, or the bus closes). */
  drained(signal?: AbortSignal): Promise<void>;
  /** What this process kept while the database was away. */
  readonly kept: KeptStats;
  close(): Promise<void>;
}

export interface KeptStats {
  /** Events and writes waiting for the database now. */
  waiting: number;
  /** The most that waited at once. */
  mostWaiting: number;
  /** Events dropped because more than `maxKept` waited. */
  dropped: number;
}

/** An event or a write on its way to the database, in the order asked. */
interface Outgoing {
  /** Of a thing whose latest version is all that matters: a newer one replaces this while it waits. */
  coalesce: string | undefined;
  /** The event's own key: written again after an unclear failure, it adds no second row. */
  key: string;
  event?: EventName;
  args?: unknown[];
  write?: () => Promise<void>;
  /** Delivered in this process already (while the database was away): its row is not delivered again. */
  heard: boolean;
  settle?: (error?: unknown) => void;
}

/** What a newer event replaces while the database is away: the latest record, status or log count wins. */
function coalesceKeyOf(event: EventName, args: unknown[]): string | undefined {
  const first = args[0] as { clientId?: string; id?: string; jobId?: string; serviceId?: string };
  if (event === 'jobUpdated') return `jobUpdated ${first.clientId}/${first.id}`;
  if (event === 'logWritten') return `logWritten ${first.clientId}/${first.jobId}`;
  if (event === 'serviceStatus') return `serviceStatus ${first.clientId}/${first.serviceId}`;
  if (event === 'warning') return `warning ${String(args[0])}`;
  return undefined;
}

/**
 * Events between processes: each is a row (NOTIFY payloads are limited to 8,000 bytes; a job record can be
 * larger), announced by NOTIFY with its id. Every process LISTENs on one connection and reads the rows in id
 * order; after a dropped connection it reconnects and reads what it missed, so nothing is lost or doubled.
 * What a process publishes while the database is away is heard in that process at once and kept, in order,
 * with the writes that go with it (`write`); once the database is back it is written before anything newer,
 * so the other processes get it late but whole.
 */
export async function createPostgresEventBus(options: {
  pool: Pool;
  connectionString: string;
  /** Rows older than this are deleted now and then. @default 600_000 */
  keepMs?: number;
  /**
   * Events and writes kept while the database is away, at most; past it the oldest events are dropped (and
   * a warning says how many). Records, statuses and log counts keep only their latest, so this is reached
   * only by very many jobs or a very long outage. @default 10_000
   */
  maxKept?: number;
  /** How often a write the database was away for is tried again. @default 500 */
  retryMs?: number;
}): Promise<PostgresEventBus> {
  const { pool } = options;
  const maxKept = options.maxKept ?? 10_000;
  const retryMs = options.retryMs ?? 500;
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
  const origin = randomUUID();
  let sequence = 0;
  /** Keys of events this process heard before their rows were written. */
  const heardHere = new Set<string>();
  let outbox: Outgoing[] = [];
  let flushing = false;
  let awaySince: number | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  const kept: KeptStats = { waiting: 0, mostWaiting: 0, dropped: 0 };
  /** Whoever waits for the outbox to empty. */
  let drainWaiters: (() => void)[] = [];
  let droppedThisOutage = 0;
  let mostThisOutage = 0;

  const deliver = (event: string, args: unknown[]) => local.emit(event, ...args);

  /** Reads every event after the last delivered, in order; one read at a time. */
  const catchUp = () => {
    reading = reading
      .then(async () => {
        const { rows } = await pool.query<{ id: string; event: string; args: unknown[]; key: string | null }>(
          'SELECT id, event, args, key FROM spawnit_events WHERE id > $1 ORDER BY id',
          [lastId],
        );
        for (const row of rows) {
          lastId = Number(row.id);
          if (row.key !== null && heardHere.delete(row.key)) continue;
          deliver(row.event, row.args);
        }
      })
      .catch(() => undefined);
    return reading;
  };

  /** While the database is away: what waits is heard here at once, and whoever waits for a write goes on. */
  function hold(): void {
    if (awaySince === undefined) {
      awaySince = Date.now();
      droppedThisOutage = 0;
      mostThisOutage = 0;
    }
    for (const entry of outbox) {
      if (entry.event && !entry.heard) {
        entry.heard = true;
        heardHere.add(entry.key);
        deliver(entry.event, entry.args ?? []);
      }
      entry.settle?.();
      entry.settle = undefined;
    }
    count();
    if (!retryTimer && !closed) {
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        void flush();
      }, retryMs);
    }
  }

  function count(): void {
    if (outbox.length === 0 && drainWaiters.length > 0) {
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
    kept.waiting = outbox.length;
    kept.mostWaiting = Math.max(kept.mostWaiting, outbox.length);
    mostThisOutage = Math.max(mostThisOutage, outbox.length);
  }

  /** Writes what waits, oldest first, one at a time; stops at the first the database is away for. */
  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (true) {
        while (outbox.length > 0) {
          const entry = outbox[0]!;
          try {
            if (entry.write) await entry.write();
            else await pool.query(INSERT_EVENT, [entry.key, entry.event, JSON.stringify(entry.args)]);
          } catch (error) {
            if (isDatabaseAway(error) && !closed) return hold();
            outbox.shift();
            if (entry.write) entry.settle?.(error);
            else if (!entry.heard) {
              // Refused for itself, not for the database being away: this process still hears it.
              deliver(entry.event!, entry.args ?? []);
              deliver('warning', [
                `An event (${entry.event}) could not be shared: ${(error as Error).message}`,
              ]);
            }
            continue;
          }
          outbox.shift();
          entry.settle?.();
        }
        if (awaySince === undefined) return;
        // Back, and everything that waited is written: the operators hear how it went (written next).
        const seconds = ((Date.now() - awaySince) / 1000).toFixed(1);
        awaySince = undefined;
        publish(
          'warning',
          `The database was away for about ${seconds} s: ${mostThisOutage} events and writes of this process waited for it at most, written in order once it was back${droppedThisOutage > 0 ? `, but for ${droppedThisOutage} events dropped past the ${maxKept} kept` : ''}.`,
        );
      }
    } finally {
      flushing = false;
      count();
    }
  }

  /** Puts an event or a write in line; while the database is away, replaces the older one of the same thing. */
  function enqueue(entry: Outgoing): void {
    // The first one may be on its way: never replaced.
    const replaceable = (other: Outgoing, i: number) => i > 0 && other.coalesce === entry.coalesce;
    if (entry.coalesce !== undefined && (awaySince !== undefined || entry.write)) {
      const index = outbox.findIndex(replaceable);
      if (index > 0) {
        const [older] = outbox.splice(index, 1);
        // Its row will never come: nothing to skip. Whoever waits for its write waits for the newer one.
        if (older!.heard) heardHere.delete(older!.key);
        const settle = older!.settle;
        if (settle) {
          const own = entry.settle;
          entry.settle = (error) => {
            settle(error);
            own?.(error);
          };
        }
      }
    }
    outbox.push(entry);
    if (awaySince !== undefined) {
      // Heard here at once; the others get it once the database is back.
      if (entry.event) {
        entry.heard = true;
        heardHere.add(entry.key);
        deliver(entry.event, entry.args ?? []);
      }
      entry.settle?.();
      entry.settle = undefined;
      dropOverCap();
      count();
      return;
    }
    count();
    void flush();
  }

  function dropOverCap(): void {
    if (outbox.length <= maxKept) return;
    const index = outbox.findIndex((entry, i) => i > 0 && entry.event !== undefined);
    if (index < 0) return;
    const [dropped] = outbox.splice(index, 1);
    if (dropped!.heard) heardHere.delete(dropped!.key);
    kept.dropped += 1;
    droppedThisOutage += 1;
    if (droppedThisOutage === 1) {
      deliver('warning', [
        `The database is away and ${maxKept} events wait for it: the oldest are dropped from now on (the other processes will miss them).`,
      ]);
    }
  }

  async function listen(): Promise<void> {
    while (!closed) {
      const client = new pg.Client({ connectionString: options.connectionString });
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        listener = client;
        client.on('notification', () => void catchUp());
        // The database is back: what waited for it goes first (then new events follow it in order).
        if (awaySince !== undefined) void flush();
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

  function publish<E extends EventName>(event: E, ...args: EngineEvents[E]): void {
    if (LOCAL.has(event)) {
      deliver(event, args);
      return;
    }
    // Delivered to this process too, through the table, so every process sees one order.
    sequence += 1;
    enqueue({
      key: `${origin}:${sequence}`,
      coalesce: coalesceKeyOf(event, args),
      event,
      args,
      heard: false,
    });
  }

  return {
    publish,
    write(key, write) {
      return new Promise<void>((resolve, reject) => {
        sequence += 1;
        enqueue({
          key: `${origin}:${sequence}`,
          coalesce: `write ${key}`,
          write,
          heard: false,
          settle: (error) => (error === undefined ? resolve() : reject(error)),
        });
      });
    },
    drained(signal) {
      if (outbox.length === 0 || closed || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        drainWaiters.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    },
    kept,
    subscribe<E extends EventName>(event: E, listener: (...args: EngineEvents[E]) => void): Unsubscribe {
      const handler = listener as (...args: unknown[]) => void;
      local.on(event, handler);
      return () => void local.off(event, handler);
    },
    async close() {
      if (retryTimer) clearTimeout(retryTimer);
      // What waits is written (a last job's end, say), unless the database is away: then it is lost.
      while (outbox.length > 0 && awaySince === undefined) {
        void flush();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      closed = true;
      outbox = [];
      count();
      clearInterval(sweep);
      await listener?.end().catch(() => undefined);
    },
  };
}
