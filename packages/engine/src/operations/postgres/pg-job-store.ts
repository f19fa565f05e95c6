import type { Pool } from 'pg';
import { isTerminal } from '../../job/job.js';
import type { LogLine } from '../../job/job-log.js';
import type { ListingIndex } from '../../listing/listing-index.js';
import type { S3Store } from '../../store/s3-store.js';
import { createS3JobStore } from '../in-process/s3-job-store.js';
import type { EventBus, JobStore, LiveLog } from '../ports.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spawnit_job_lines (
  client_id text NOT NULL, job_id text NOT NULL, n integer NOT NULL, text text NOT NULL,
  PRIMARY KEY (client_id, job_id, n));
CREATE TABLE IF NOT EXISTS spawnit_job_logs (
  client_id text NOT NULL, job_id text NOT NULL, count integer NOT NULL, closed boolean NOT NULL,
  PRIMARY KEY (client_id, job_id));
`;

/**
 * Jobs for processes apart: records and markers as in S3 (listed from the PostgreSQL index), and the logs of
 * running jobs in a table every process reads, announced on the bus. A follower subscribes first, then
 * replays from the table: lines arrive in order, with no gap and no duplicate, without polling. A closed log
 * is also saved to S3, where finished jobs are read from once their lines are gone from the table.
 */
export async function createPostgresJobStore(options: {
  pool: Pool;
  store: S3Store;
  index: ListingIndex;
  bus: EventBus;
  tofuPath: string;
  logFlushMs?: number;
}): Promise<JobStore> {
  const { pool, bus } = options;
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
      let pending: LogLine[] = [];
      let count = 0;
      let writing: Promise<void> = pool
        .query(
          `INSERT INTO spawnit_job_logs VALUES ($1, $2, 0, false) ON CONFLICT (client_id, job_id) DO NOTHING`,
          [clientId, jobId],
        )
        .then(() => undefined);
      let scheduled = false;
      /** Lines go out in batches, one write at a time: at most every 20 ms under load. */
      const write = (closed: boolean) => {
        const batch = pending;
        pending = [];
        writing = writing
          .catch(() => undefined)
          .then(async () => {
            if (batch.length > 0) {
              await pool.query(
                `INSERT INTO spawnit_job_lines
                 SELECT $1, $2, n, text FROM unnest($3::int[], $4::text[]) AS l(n, text)
                 ON CONFLICT DO NOTHING`,
                [clientId, jobId, batch.map((l) => l.n), batch.map((l) => l.text)],
              );
            }
            const last = batch.at(-1);
            const total = last ? last.n + 1 : count;
            await pool.query(
              'UPDATE spawnit_job_logs SET count = GREATEST(count, $3), closed = closed OR $4 WHERE client_id = $1 AND job_id = $2',
              [clientId, jobId, total, closed],
            );
            bus.publish('logWritten', { clientId, jobId, count: total, closed });
          });
        return writing;
      };
      return {
        get length() {
          return kept.length;
        },
        append(text) {
          const n = kept.length;
          kept.append(text);
          if (kept.length === n) return; // closed
          pending.push({ n, text });
          count = n + 1;
          if (scheduled) return;
          scheduled = true;
          setTimeout(() => {
            scheduled = false;
            void write(false).catch(() => undefined);
          }, 20);
        },
        async save() {
          await write(false).catch(() => undefined);
          await kept.save();
        },
        async close() {
          await write(true).catch(() => undefined);
          await kept.close();
        },
      };
    },
    async *followLog(clientId, jobId, fromLine, signal): AsyncGenerator<LogLine> {
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
      try {
        let state = await logState(clientId, jobId);
        while (!state && !signal?.aborted) {
          const woken = new Promise<void>((resolve) => (wake = resolve));
          const record = await options.index.jobs([{ clientId, jobId }]).then((found) => found[0]);
          // The worker may have opened (and closed) the log since the first look.
          state = await logState(clientId, jobId);
          if (state) break;
          if (!record || isTerminal(record.state)) {
            // Not written in this mode (an older job, or one that ended before a worker took it): S3 has it.
            yield* s3.followLog(clientId, jobId, fromLine, signal);
            return;
          }
          await woken;
          state = await logState(clientId, jobId);
        }
        if (!state) return;
        closed ||= state.closed;
        let next = Math.max(0, fromLine);
        while (!signal?.aborted) {
          const woken = new Promise<void>((resolve) => (wake = resolve));
          const wasClosed = closed;
          for (const line of await linesFrom(clientId, jobId, next)) {
            if (line.n !== next) break; // a gap: its batch is not committed yet; the next wake fills it
            next += 1;
            yield line;
          }
          // Closed before this read: every line was written before the close was, so this was the end (a
          // line a database failure lost is in the S3 copy).
          if (wasClosed) return;
          await woken;
        }
      } finally {
        unsubscribe();
        unsubscribeJob();
        signal?.removeEventListener('abort', onAbort);
      }
    },
    async readLog(clientId, jobId, fromLine) {
      if (!(await logState(clientId, jobId))) return s3.readLog(clientId, jobId, fromLine);
      return (await linesFrom(clientId, jobId, fromLine)).map((l) => l.text);
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
