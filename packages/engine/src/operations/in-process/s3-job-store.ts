import { hostname } from 'node:os';
import type { JobRecord } from '../../job/job.js';
import { JobLog, type LogLine } from '../../job/job-log.js';
import type { ListingIndex } from '../../listing/listing-index.js';
import { clientPrefix } from '../../store/keys.js';
import type { S3Store } from '../../store/s3-store.js';
import type { ActiveMarker, JobStore, LiveLog } from '../ports.js';

const jobKey = (clientId: string, jobId: string) => `${clientPrefix(clientId)}jobs/${jobId}.json`;
const jobLogKey = (clientId: string, jobId: string) => `${clientPrefix(clientId)}jobs/${jobId}.log`;
/** Markers of unfinished jobs, so a restart finds them without listing every client's history. */
const ACTIVE_PREFIX = '.spawnit/active-jobs/';

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
  const live = new Map<string, JobLog>();
  // History that could not be written (S3 down) is kept here and written at the next chance.
  const unsaved = new Map<string, string>();

  async function persist(key: string, body: string): Promise<void> {
    try {
      await store.put(key, body, { contentType: key.endsWith('.json') ? 'application/json' : 'text/plain' });
      unsaved.delete(key);
    } catch (error) {
      unsaved.set(key, body);
      throw error;
    }
  }

  async function storedLog(clientId: string, jobId: string): Promise<string[]> {
    const text = (await store.get(jobLogKey(clientId, jobId)))?.body.toString('utf8') ?? '';
    return text === '' ? [] : text.split('\n');
  }

  const liveOf = (clientId: string, jobId: string) => live.get(`${clientId}/${jobId}`);

  return {
    async save(record) {
      await index.putJob(record);
      await persist(jobKey(record.clientId, record.id), `${JSON.stringify(record, null, 2)}\n`);
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
      live.set(key, log);
      let saved = -1;
      const flush = async () => {
        const length = log.length;
        if (length === saved) return;
        await persist(jobLogKey(record.clientId, record.id), log.lines().join('\n'));
        saved = length;
      };
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
    async *followLog(clientId, jobId, fromLine, signal): AsyncGenerator<LogLine> {
      const log = liveOf(clientId, jobId);
      if (log) {
        yield* log.follow(fromLine, signal);
        return;
      }
      const stored = new JobLog({ initial: await storedLog(clientId, jobId), closed: true });
      yield* stored.follow(fromLine, signal);
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
        const record = await store
          .getJson<JobRecord>(jobKey(marker.clientId, marker.jobId))
          .catch(() => undefined);
        // A job queued when SpawnIt stopped may have no record of its own yet: the marker's copy stands in.
        found.push({ marker, record: record ?? marker.record });
      }
      return found;
    },
    async retryUnsaved() {
      for (const [key, body] of [...unsaved]) await persist(key, body).catch(() => undefined);
    },
  };
}
