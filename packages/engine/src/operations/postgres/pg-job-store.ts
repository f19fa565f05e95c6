import type { Pool } from 'pg';
import { isTerminal } from '../../job/job.js';
import type { LogLine } from '../../job/job-log.js';
import type { ListingIndex } from '../../listing/listing-index.js';
import type { S3Store } from '../../store/s3-store.js';
import { createS3JobStore } from '../in-process/s3-job-store.js';
import type { JobStore, LiveLog } from '../ports.js';
import type { PostgresEventBus } from './pg-event-bus.js';
import { isDatabaseAway } from './pool.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spawnit_job_lines (
  client_id text NOT NULL, job_id text NOT NULL, n integer NOT NULL, text text NOT NULL,
  PRIMARY KEY (client_id, job_id, n));
CREATE TABLE IF NOT EXISTS spawnit_job_logs (
  client_id text NOT NULL, job_id text NOT NULL, count integer NOT NULL, closed boolean NOT NULL,
  PRIMARY KEY (client_id, job_id));
`;

/** Lines in one insert at most: a backlog after an outage goes out in several. */
const BATCH = 5_000;

/**
 * Jobs for processes apart: records and markers as in S3 (listed from the PostgreSQL index), and the logs of
 * running jobs in a table every process reads, announced on the bus. A follower subscribes first, then
 * replays from the table: lines arrive in order, with no gap and no duplicate, without polling. A closed log
 * is also saved to S3, where finished jobs are read from once their lines are gone from the table.
 *
 * With `keepWhileAway` (a worker), the lines the database cannot take while it is away wait, in order (at
 * most `maxUnwrittenLines`), and are written once it is back, before any newer one: followers on other
 * processes see every line once. (The job's record waits with the bus's events: see `writeThrough`.)
 */
export async function createPostgresJobStore(options: {
  pool: Pool;
  store: S3Store;
  index: ListingIndex;
  bus: PostgresEventBus;
  logFlushMs?: number;
  /** Keep what the database could not take while it was away and write it once back. @default false */
  keepWhileAway?: boolean;
  /**
   * Lines of one log kept for the database while it is away, at most; past it, followers on other
   * processes get the rest from the log saved to S3 once the job ends. @default 100_000
   */
  maxUnwrittenLines?: number;
  /** How often lines the database was away for are tried again. @default 500 */
  retryMs?: number;
}): Promise<JobStore> {
  const { pool, bus } = options;
  const keepWhileAway = options.keepWhileAway ?? false;
  const maxUnwritten = options.maxUnwrittenLines ?? 100_000;
  const retryMs = options.retryMs ?? 500;
  await pool.query(SCHEMA);
  const s3 = createS3JobStore(options);

  async function logState(clientId: string, jobId: string) {
    const { rows } = await pool.query<{ count: number; closed: boolean }>(
      'SELECT count, closed FROM spawnit_job_logs WHERE client_id = $1 AND job_id = $2',
      [clientId, jobId],
    );
    return rows[0];
  }
  async function linesFrom(clientId: string, jobId: string, from: number): Promise<LogLine[]> {
    const { rows } = await pool.query<LogLine>(
      'SELECT n, text FROM spawnit_job_lines WHERE client_id = $1 AND job_id = $2 AND n >= $3 ORDER BY n',
      [clientId, jobId, from],
    );
    return rows;
  }

  return {
    ...s3,
    openLog(record, onLine): LiveLog {
      const { clientId, id: jobId } = record;
      // The S3 copy (saved now and then and at the end) is the one kept after the job.
      const kept = s3.openLog(record, onLine);
      /** Lines not in the table yet, in order. */
      let unwritten: LogLine[] = [];
      /** Lines past the cap while the database was away: in the S3 copy only. */
      let skipped = 0;
      let closing = false;
      let closedWritten = false;
      let awaySince: number | undefined;
      let mostUnwritten = 0;
      let writing: Promise<void> | undefined;
      let again = false;
      let retry: NodeJS.Timeout | undefined;
      let scheduled = false;

      /** One batch, with the log's count and end, in one statement: a follower sees both or neither. */
      async function writeBatch(batch: LogLine[], closed: boolean): Promise<number> {
        const last = batch.at(-1);
        // The end counts every line, those past the cap of an outage too (the S3 copy has them): a follower
        // that reads fewer from the table reads the rest there.
        const total = closed || !last ? kept.length : last.n + 1;
        await pool.query(
          `WITH lines AS (
             INSERT INTO spawnit_job_lines
             SELECT $1, $2, n, text FROM unnest($3::int[], $4::text[]) AS l(n, text)
             ON CONFLICT DO NOTHING)
           INSERT INTO spawnit_job_logs VALUES ($1, $2, $5, $6)
           ON CONFLICT (client_id, job_id) DO UPDATE SET
             count = GREATEST(spawnit_job_logs.count, EXCLUDED.count),
             closed = spawnit_job_logs.closed OR EXCLUDED.closed`,
          [clientId, jobId, batch.map((l) => l.n), batch.map((l) => l.text), total, closed],
        );
        return total;
      }

      /** Writes what waits, oldest first; while the database is away, tries again every `retryMs`. */
      async function drain(): Promise<void> {
        while (unwritten.length > 0 || (closing && !closedWritten)) {
          const batch = unwritten.slice(0, BATCH);
          const closed = closing && batch.length === unwritten.length;
          let total: number;
          try {
            total = await writeBatch(batch, closed);
          } catch (error) {
            if (keepWhileAway && isDatabaseAway(error)) {
              if (awaySince === undefined) {
                awaySince = Date.now();
                mostUnwritten = unwritten.length;
              }
              retry ??= setTimeout(() => {
                retry = undefined;
                void flush();
              }, retryMs);
              return;
            }
            // Refused for itself: these lines are in the S3 copy only, where a follower reads them at the end.
            unwritten = unwritten.slice(batch.length);
            if (closed) closedWritten = true;
            bus.publish(
              'warning',
              `Job ${jobId}: ${batch.length} log lines could not be shared: ${(error as Error).message}`,
            );
            continue;
          }
          unwritten = unwritten.slice(batch.length);
          if (closed) closedWritten = true;
          if (awaySince !== undefined && unwritten.length === 0) {
            bus.publish(
              'warning',
              `Job ${jobId}: the database was away for about ${((Date.now() - awaySince) / 1000).toFixed(1)} s; ${mostUnwritten} log lines waited for it at most and were written once it was back${skipped > 0 ? `, but for ${skipped} past the ${maxUnwritten} kept (in the saved log)` : ''}.`,
            );
            awaySince = undefined;
          }
          bus.publish('logWritten', { clientId, jobId, count: total, closed });
        }
      }

      /** One drain at a time; asked while one runs, another follows it. */
      function flush(): Promise<void> {
        if (writing) {
          again = true;
          return writing;
        }
        writing = (async () => {
          do {
            again = false;
            await drain();
          } while (again && retry === undefined);
        })()
          .catch(() => undefined)
          .finally(() => {
            writing = undefined;
          });
        return writing;
      }

      return {
        get length() {
          return kept.length;
        },
        append(text) {
          const n = kept.length;
          kept.append(text);
          if (kept.length === n) return; // closed
          // Bounded while the database is away; otherwise the writes keep up (one batch every 20 ms at most).
          if (awaySince !== undefined && unwritten.length >= maxUnwritten) {
            skipped += 1;
            if (skipped === 1) {
              bus.publish(
                'warning',
                `Job ${jobId}: the database is away and ${maxUnwritten} log lines wait for it; from line ${n} on, followers on other processes get the lines from the saved log once the job ends.`,
              );
            }
            return;
          }
          unwritten.push({ n, text });
          if (awaySince !== undefined) mostUnwritten = Math.max(mostUnwritten, unwritten.length);
          // Lines go out in batches, one write at a time: at most every 20 ms under load.
          if (scheduled || retry) return;
          scheduled = true;
          setTimeout(() => {
            scheduled = false;
            void flush();
          }, 20);
        },
        async save() {
          // While the database is away the lines wait (the job goes on); the S3 copy is saved.
          if (awaySince === undefined) await flush();
          else void flush();
          await kept.save();
        },
        async close() {
          // The S3 copy first: a follower that finds the table's log ended with a gap reads the rest there.
          await kept.close();
          closing = true;
          if (awaySince === undefined) await flush();
          else void flush();
        },
      };
    },
    async *followLogBatches(clientId, jobId, fromLine, signal): AsyncGenerator<LogLine[]> {
      // Subscribe first, then read: a batch written in between wakes us, and lines are read by number.
      let wake: (() => void) | undefined;
      let closed = false;
      const unsubscribe = bus.subscribe('logWritten', (event) => {
        if (event.clientId !== clientId || event.jobId !== jobId) return;
        if (event.closed) closed = true;
        wake?.();
      });
      // A queued job's log is opened by the worker that takes it: until then, its end is the other news.
      const unsubscribeJob = bus.subscribe('jobUpdated', (record) => {
        if (record.clientId === clientId && record.id === jobId) wake?.();
      });
      const onAbort = () => wake?.();
      signal?.addEventListener('abort', onAbort, { once: true });
      /** A read the database is away for is made again once it is back: a follower waits, it does not fail. */
      const patiently = async <T>(read: () => Promise<T>): Promise<T> => {
        while (true) {
          try {
            return await read();
          } catch (error) {
            if (!isDatabaseAway(error) || signal?.aborted) throw error;
            await new Promise((resolve) => setTimeout(resolve, retryMs));
          }
        }
      };
      try {
        let state = await patiently(() => logState(clientId, jobId));
        while (!state && !signal?.aborted) {
          const woken = new Promise<void>((resolve) => (wake = resolve));
          const record = await patiently(() => options.index.jobs([{ clientId, jobId }])).then(
            (found) => found[0],
          );
          // The worker may have opened (and closed) the log since the first look.
          state = await patiently(() => logState(clientId, jobId));
          if (state) break;
          if (!record || isTerminal(record.state)) {
            // Not written in this mode (an older job, or one that ended before a worker took it): S3 has it.
            yield* s3.followLogBatches(clientId, jobId, fromLine, signal);
            return;
          }
          await woken;
          state = await patiently(() => logState(clientId, jobId));
        }
        if (!state) return;
        closed ||= state.closed;
        let next = Math.max(0, fromLine);
        while (!signal?.aborted) {
          const woken = new Promise<void>((resolve) => (wake = resolve));
          const wasClosed = closed;
          const batch: LogLine[] = [];
          for (const line of await patiently(() => linesFrom(clientId, jobId, next))) {
            if (line.n !== next) break; // a gap: its batch is not committed yet; the next wake fills it
            next += 1;
            batch.push(line);
          }
          if (batch.length > 0) yield batch;
          // Closed before this read: every line the table will have was written before the close was. Lines
          // it could not take (past the cap of an outage, or refused) are in the S3 copy, saved before.
          if (wasClosed) {
            const end = await patiently(() => logState(clientId, jobId));
            if (end && end.count > next) {
              const rest = (await s3.readLog(clientId, jobId, next)).map((text, i) => ({
                n: next + i,
                text,
              }));
              if (rest.length > 0) yield rest;
            }
            return;
          }
          await woken;
        }
      } finally {
        unsubscribe();
        unsubscribeJob();
        signal?.removeEventListener('abort', onAbort);
      }
    },
    async readLog(clientId, jobId, fromLine) {
      const state = await logState(clientId, jobId);
      if (!state) return s3.readLog(clientId, jobId, fromLine);
      const lines = await linesFrom(clientId, jobId, fromLine);
      // An ended log the table lacks lines of (see followLog): the S3 copy is whole.
      if (state.closed && lines.length < state.count - fromLine) return s3.readLog(clientId, jobId, fromLine);
      return lines.map((l) => l.text);
    },
    async remove(clientId, jobIds) {
      await pool.query('DELETE FROM spawnit_job_lines WHERE client_id = $1 AND job_id = ANY($2::text[])', [
        clientId,
        jobIds,
      ]);
      await pool.query('DELETE FROM spawnit_job_logs WHERE client_id = $1 AND job_id = ANY($2::text[])', [
        clientId,
        jobIds,
      ]);
      await s3.remove(clientId, jobIds);
    },
  };
}
