import { hostname } from 'node:os';
import { isTerminal, type JobRecord, type StoredJobRecord, withoutLog } from '../../job/job.js';
import { JobLog, type LogLine } from '../../job/job-log.js';
import type { ListingIndex } from '../../listing/listing-index.js';
import { clientPrefix } from '../../store/keys.js';
import type { S3Store } from '../../store/s3-store.js';
import type { ActiveMarker, JobStore, LiveLog } from '../ports.js';

const jobKey = (clientId: string, jobId: string) => `${clientPrefix(clientId)}jobs/${jobId}.json`;
const jobLogKey = (clientId: string, jobId: string) => `${clientPrefix(clientId)}jobs/${jobId}.log`;
/** Markers of unfinished jobs, so a restart finds them without listing every client's history. */
const ACTIVE_PREFIX = '.spawnit/active-jobs/';
/** A log at most this long that was never saved is written inside its job's final record. */
const EMBEDDED_LOG_MAX_CHARS = 64 * 1024;

/** The length of `lines.join('\n')`, without making that string (a log may be megabytes). */
const joinedLength = (lines: readonly string[]) =>
  lines.reduce((sum, line) => sum + line.length, Math.max(0, lines.length - 1));

/** A running job's log, and how many of its lines S3 has (-1: none saved yet). */
interface Live {
  log: JobLog;
  saved: number;
  /** Saves the lines not saved yet, after any save under way. */
  flush(): Promise<void>;
  /** The save under way, if any. */
  writing: Promise<void> | undefined;
}

export interface S3JobStoreOptions {
  store: S3Store;
  index: ListingIndex;
  /** How often a running job's log is saved, so a crash loses at most this much. @default 5_000 */
  logFlushMs?: number;
}

/**
 * Jobs in S3 (`clients/<id>/jobs/<job>.json` and `.log`), listed from the index; the logs of running jobs
 * live in memory and are saved every `logFlushMs` and when they close.
 */
export function createS3JobStore(options: S3JobStoreOptions): JobStore {
  const { store, index } = options;
  const logFlushMs = options.logFlushMs ?? 5_000;
  const live = new Map<string, Live>();
  // History that could not be written (S3 down) is kept here and written at the next chance: the body, or
  // how to make it when making it needs S3 too.
  const unsaved = new Map<string, string | (() => Promise<string>)>();

  async function persist(key: string, body: string): Promise<void> {
    try {
      await store.put(key, body, { contentType: key.endsWith('.json') ? 'application/json' : 'text/plain' });
      unsaved.delete(key);
    } catch (error) {
      unsaved.set(key, body);
      throw error;
    }
  }

  /** Writes a body that is made from what S3 holds; kept to be made and written later if either fails. */
  async function persistMade(key: string, make: () => Promise<string>): Promise<void> {
    let made: string;
    try {
      made = await make();
    } catch (error) {
      unsaved.set(key, make);
      throw error;
    }
    await persist(key, made);
  }

  /** The log inside the record (a short one, saved with the job's end), else the log object, else none. */
  async function storedLog(clientId: string, jobId: string): Promise<string[]> {
    const inRecord = (await store.getJson<StoredJobRecord>(jobKey(clientId, jobId)))?.log;
    if (inRecord) return inRecord;
    const text = (await store.get(jobLogKey(clientId, jobId)))?.body.toString('utf8') ?? '';
    return text === '' ? [] : text.split('\n');
  }

  const liveOf = (clientId: string, jobId: string) => live.get(`${clientId}/${jobId}`)?.log;
  const body = (record: StoredJobRecord) => `${JSON.stringify(record, null, 2)}\n`;

  return {
    async save(record, { final = false } = {}) {
      await index.putJob(record);
      const key = jobKey(record.clientId, record.id);
      const running = final ? live.get(`${record.clientId}/${record.id}`) : undefined;
      if (!running) {
        // An ended job's record written again (its plan applied since, say): a log inside it stays there. If S3
        // cannot be read now, the rewrite waits for it like any unsaved write, rather than dropping the log.
        if (!isTerminal(record.state)) return persist(key, body(record));
        return persistMade(key, async () => {
          const log = (await store.getJson<StoredJobRecord>(key))?.log;
          return body(log ? { ...record, log } : record);
        });
      }
      await running.writing?.catch(() => undefined);
      const lines = running.log.lines();
      if (running.saved === -1 && joinedLength(lines) <= EMBEDDED_LOG_MAX_CHARS) {
        // Counted as saved now: the log's close then writes no object of its own (one write, not two).
        running.saved = lines.length;
        try {
          return await persist(key, body({ ...record, log: lines }));
        } catch (error) {
          // Not written (S3 away): the log goes to an object of its own at its close, with the lines the
          // failure adds, and the record is written alone when S3 is back.
          running.saved = -1;
          unsaved.set(key, body(record));
          throw error;
        }
      }
      await Promise.all([running.flush(), persist(key, body(record))]);
    },
    touch: (record) => index.putJob(record),
    async get(clientId, jobId) {
      return (await index.jobs([{ clientId, jobId }]))[0];
    },
    list: (clientId, filter = {}) => index.listJobs(clientId, filter),
    async remove(clientId, jobIds) {
      await store.deleteKeys(jobIds.flatMap((id) => [jobKey(clientId, id), jobLogKey(clientId, id)]));
      await index.removeJobs(jobIds.map((jobId) => ({ clientId, jobId })));
    },
    openLog(record, onLine): LiveLog {
      const key = `${record.clientId}/${record.id}`;
      const log = new JobLog({ onLine });
      const running: Live = {
        log,
        saved: -1,
        writing: undefined,
        async flush() {
          // One at a time: a slow save finishing after a newer one must not leave the shorter log.
          await running.writing?.catch(() => undefined);
          const length = log.length;
          if (length === running.saved) return;
          running.writing = persist(jobLogKey(record.clientId, record.id), log.lines().join('\n'));
          try {
            await running.writing;
            running.saved = length;
          } finally {
            running.writing = undefined;
          }
        },
      };
      const { flush } = running;
      live.set(key, running);
      const timer = setInterval(() => void flush().catch(() => undefined), logFlushMs);
      return {
        get length() {
          return log.length;
        },
        append: (text) => log.append(text),
        save: () => flush().catch(() => undefined),
        async close() {
          clearInterval(timer);
          log.close();
          await flush().catch(() => undefined);
          live.delete(key);
        },
      };
    },
    async *followLogBatches(clientId, jobId, fromLine, signal): AsyncGenerator<LogLine[]> {
      const log = liveOf(clientId, jobId);
      if (log) {
        yield* log.followBatches(fromLine, signal);
        return;
      }
      const stored = new JobLog({ initial: await storedLog(clientId, jobId), closed: true });
      yield* stored.followBatches(fromLine, signal);
    },
    async readLog(clientId, jobId, fromLine) {
      const log = liveOf(clientId, jobId);
      return log ? log.lines(fromLine) : (await storedLog(clientId, jobId)).slice(fromLine);
    },
    async markActive(record) {
      const marker: ActiveMarker = {
        jobId: record.id,
        clientId: record.clientId,
        host: hostname(),
        record,
      };
      await store.putJson(`${ACTIVE_PREFIX}${record.id}`, marker);
    },
    async clearActive(jobId) {
      await store.deleteKeys([`${ACTIVE_PREFIX}${jobId}`]);
    },
    async listActive() {
      const found: { marker: ActiveMarker; record: JobRecord | undefined }[] = [];
      for (const { key } of await store.list(ACTIVE_PREFIX)) {
        const marker = await store.getJson<ActiveMarker>(key).catch(() => undefined);
        // Unreadable now (S3 hiccup): the next start tries again.
        if (!marker) continue;
        const stored = await store
          .getJson<StoredJobRecord>(jobKey(marker.clientId, marker.jobId))
          .catch(() => undefined);
        const record = stored && withoutLog(stored);
        // A job queued when SpawnIt stopped may have no record of its own yet: the marker's copy stands in.
        found.push({ marker, record: record ?? marker.record });
      }
      return found;
    },
    async retryUnsaved() {
      for (const [key, body] of [...unsaved]) {
        await (typeof body === 'string' ? persist(key, body) : persistMade(key, body)).catch(() => undefined);
      }
    },
  };
}
