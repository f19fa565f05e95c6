import type { Pool, PoolClient } from 'pg';
import type { JobRecord } from '../job/job.js';
import type { ServiceStatus } from '../operations/events.js';
import { type TargetRef, targetKeyOf } from '../store/keys.js';
import type {
  IndexSnapshot,
  ListingIndex,
  NetworkEntry,
  SavedPlan,
  ServiceEntry,
  WriteGate,
} from './listing-index.js';

export interface PostgresIndexOptions {
  /** `postgres://user:password@host:port/database` (SPAWNIT_DATABASE_URL). */
  connectionString: string;
  /** Reads what the index starts from (S3, with `scanStore`) when the database has never been filled. */
  load: () => Promise<IndexSnapshot>;
  /** Connections at most. @default 10 */
  maxConnections?: number;
}

export interface PostgresIndex extends ListingIndex {
  /** Throws the index away and reads it again from S3, the source of truth. */
  rebuild(): Promise<void>;
  close(): Promise<void>;
}

/** Tables first: every statement is idempotent, so any process can run them at start. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS spawnit_services (
  client_id text NOT NULL, service_id text NOT NULL, entry jsonb NOT NULL,
  PRIMARY KEY (client_id, service_id));
CREATE TABLE IF NOT EXISTS spawnit_networks (
  client_id text NOT NULL, provider text NOT NULL, network_name text NOT NULL, entry jsonb NOT NULL,
  PRIMARY KEY (client_id, provider, network_name));
CREATE TABLE IF NOT EXISTS spawnit_statuses (
  client_id text NOT NULL, service_id text NOT NULL, status jsonb NOT NULL,
  PRIMARY KEY (client_id, service_id));
CREATE TABLE IF NOT EXISTS spawnit_deployed (target_key text PRIMARY KEY);
CREATE TABLE IF NOT EXISTS spawnit_jobs (
  client_id text NOT NULL, job_id text NOT NULL, target_key text NOT NULL,
  kind text NOT NULL, destroy boolean NOT NULL, created_at text NOT NULL,
  seq bigserial NOT NULL, record jsonb NOT NULL,
  PRIMARY KEY (client_id, job_id));
-- When the database first heard of the job, by its own clock: how long a queued job has waited, whoever wrote it.
ALTER TABLE spawnit_jobs ADD COLUMN IF NOT EXISTS recorded_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX IF NOT EXISTS spawnit_jobs_newest ON spawnit_jobs (client_id, created_at DESC, seq DESC);
CREATE INDEX IF NOT EXISTS spawnit_jobs_of_target
  ON spawnit_jobs (client_id, target_key, created_at DESC, seq DESC);
CREATE TABLE IF NOT EXISTS spawnit_saved_plans (
  target_key text NOT NULL, plan_id text NOT NULL, saved_at text NOT NULL,
  PRIMARY KEY (target_key, plan_id));
CREATE TABLE IF NOT EXISTS spawnit_index_state (id int PRIMARY KEY, filled_at timestamptz NOT NULL);
`;
const TABLES =
  'spawnit_services, spawnit_networks, spawnit_statuses, spawnit_deployed, spawnit_jobs, spawnit_saved_plans';
/** Rows of spawnit_index_state: the index filled, and its saved plans (a table later versions added). */
const FILLED = 1;
const SAVED_PLANS_FILLED = 2;
/** Taken while the schema is made or the index filled, so two processes starting at once do it once. */
const FILL_LOCK = 0x5a17_1d3e;

const upsertJob = `
INSERT INTO spawnit_jobs (client_id, job_id, target_key, kind, destroy, created_at, record)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (client_id, job_id) DO UPDATE SET record = EXCLUDED.record`;

const jobParams = (r: JobRecord) => [
  r.clientId,
  r.id,
  targetKeyOf(r.target),
  r.kind,
  r.destroy,
  r.createdAt,
  JSON.stringify(r),
];

/**
 * The index in PostgreSQL, shared by every process of the scaled-out mode: the same calls as the in-process
 * index, answered by indexed queries (one per call, however many keys). Filled from S3 the first time a
 * database is used; S3 stays the truth and `rebuild` reads it again.
 */
export async function createPostgresIndex(options: PostgresIndexOptions): Promise<PostgresIndex> {
  // Loaded only in this mode: the one-process product never pays for the driver.
  const { default: pg } = await import('pg');
  const pool: Pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
  });
  // An idle connection the server dropped (a restart) is an event, not a crash of the process.
  pool.on('error', () => undefined);
  let filled: Promise<void> | undefined;

  async function withLock<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [FILL_LOCK]);
      try {
        return await work(client);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [FILL_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  async function fill(client: PoolClient, snapshot: IndexSnapshot): Promise<void> {
    // Rows written meanwhile by a running process win over what the scan read (ON CONFLICT DO NOTHING).
    for (const s of snapshot.services) {
      await client.query('INSERT INTO spawnit_services VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        s.clientId,
        s.serviceId,
        JSON.stringify(s),
      ]);
    }
    for (const n of snapshot.networks) {
      await client.query('INSERT INTO spawnit_networks VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
        n.clientId,
        n.provider,
        n.networkName,
        JSON.stringify(n),
      ]);
    }
    for (const { ref, status } of snapshot.statuses) {
      await client.query('INSERT INTO spawnit_statuses VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        ref.clientId,
        ref.serviceId,
        JSON.stringify(status),
      ]);
    }
    await client.query('INSERT INTO spawnit_deployed SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [
      snapshot.deployed.map(targetKeyOf),
    ]);
    // Oldest first, so equal times keep the order the scan gives them, as the in-process index does.
    const jobs = [...snapshot.jobs].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const r of jobs) {
      await client.query(
        `INSERT INTO spawnit_jobs (client_id, job_id, target_key, kind, destroy, created_at, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        jobParams(r),
      );
    }
    await fillSavedPlans(client, snapshot);
    await markFilled(client, FILLED);
  }

  async function fillSavedPlans(client: PoolClient, snapshot: IndexSnapshot): Promise<void> {
    const plans = snapshot.savedPlans;
    await client.query(
      'INSERT INTO spawnit_saved_plans SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING',
      [
        plans.map((p) => targetKeyOf(p.target)),
        plans.map((p) => p.plan.planId),
        plans.map((p) => p.plan.savedAt),
      ],
    );
    await markFilled(client, SAVED_PLANS_FILLED);
  }

  const markFilled = (client: PoolClient, id: number) =>
    client.query(
      'INSERT INTO spawnit_index_state VALUES ($1, now()) ON CONFLICT (id) DO UPDATE SET filled_at = now()',
      [id],
    );

  /**
   * The schema, then the first fill from S3 unless a process did it before; an index filled by an earlier
   * version gets the saved plans it did not keep.
   */
  function ready(): Promise<void> {
    filled ??= withLock(async (client) => {
      await client.query(SCHEMA);
      const { rows } = await client.query<{ id: number }>('SELECT id FROM spawnit_index_state');
      const done = new Set(rows.map((r) => r.id));
      if (done.has(FILLED) && done.has(SAVED_PLANS_FILLED)) return;
      const snapshot = await options.load();
      await client.query('BEGIN');
      try {
        if (done.has(FILLED)) await fillSavedPlans(client, snapshot);
        else await fill(client, snapshot);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }).catch((error: unknown) => {
      // S3 or the database down: the next call tries again.
      filled = undefined;
      throw error;
    });
    return filled;
  }

  async function query<R extends object>(text: string, values: unknown[] = []): Promise<R[]> {
    await ready();
    return (await pool.query<R>(text, values)).rows;
  }
  const exec = async (text: string, values: unknown[]) => {
    await ready();
    await pool.query(text, values);
  };
  let gate: WriteGate | undefined;
  /** A write, through the gate when one is set (see `writeThrough`). */
  const write = (key: string, work: () => Promise<void>) => (gate ? gate(key, work) : work());

  /** Rows of `[ordinal, value]` placed back in the order of the keys asked, undefined where none. */
  const inOrder = <T>(count: number, rows: { i: string; v: T }[]): (T | undefined)[] => {
    const out = new Array<T | undefined>(count).fill(undefined);
    for (const row of rows) out[Number(row.i) - 1] = row.v;
    return out;
  };

  const targetColumns = (targets: readonly TargetRef[]) => [
    targets.map((t) => t.clientId),
    targets.map(targetKeyOf),
  ];

  async function jobsOfTargets(
    targets: readonly TargetRef[],
    filter: string,
    limit: number | undefined,
  ): Promise<JobRecord[][]> {
    const rows = await query<{ i: string; v: JobRecord }>(
      `SELECT t.i, j.record AS v
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(client_id, target_key, i)
         CROSS JOIN LATERAL (
           SELECT record, created_at, seq FROM spawnit_jobs j
            WHERE j.client_id = t.client_id AND j.target_key = t.target_key ${filter}
            ORDER BY created_at DESC, seq DESC LIMIT $3) j
        ORDER BY t.i, j.created_at DESC, j.seq DESC`,
      [...targetColumns(targets), limit ?? null],
    );
    const out: JobRecord[][] = targets.map(() => []);
    for (const row of rows) out[Number(row.i) - 1]!.push(row.v);
    return out;
  }

  return {
    putService: (e) =>
      write(`service ${e.clientId}/${e.serviceId}`, () =>
        exec(
          `INSERT INTO spawnit_services VALUES ($1, $2, $3)
           ON CONFLICT (client_id, service_id) DO UPDATE SET entry = EXCLUDED.entry`,
          [e.clientId, e.serviceId, JSON.stringify(e)],
        ),
      ),
    putNetwork: (e) =>
      write(`network ${e.clientId}/${e.provider}/${e.networkName}`, () =>
        exec(
          `INSERT INTO spawnit_networks VALUES ($1, $2, $3, $4)
           ON CONFLICT (client_id, provider, network_name) DO UPDATE SET entry = EXCLUDED.entry`,
          [e.clientId, e.provider, e.networkName, JSON.stringify(e)],
        ),
      ),
    removeTarget: (ref) =>
      write(`remove ${targetKeyOf(ref)}`, async () => {
        if (ref.kind === 'service') {
          await exec('DELETE FROM spawnit_services WHERE client_id = $1 AND service_id = $2', [
            ref.clientId,
            ref.serviceId,
          ]);
          await exec('DELETE FROM spawnit_statuses WHERE client_id = $1 AND service_id = $2', [
            ref.clientId,
            ref.serviceId,
          ]);
        } else {
          await exec(
            'DELETE FROM spawnit_networks WHERE client_id = $1 AND provider = $2 AND network_name = $3',
            [ref.clientId, ref.provider, ref.networkName],
          );
        }
        await exec('DELETE FROM spawnit_deployed WHERE target_key = $1', [targetKeyOf(ref)]);
        await exec('DELETE FROM spawnit_saved_plans WHERE target_key = $1', [targetKeyOf(ref)]);
      }),
    setDeployed: (ref, deployed) =>
      write(`deployed ${targetKeyOf(ref)}`, () =>
        deployed
          ? exec('INSERT INTO spawnit_deployed VALUES ($1) ON CONFLICT DO NOTHING', [targetKeyOf(ref)])
          : exec('DELETE FROM spawnit_deployed WHERE target_key = $1', [targetKeyOf(ref)]),
      ),
    setStatus: (ref, status: ServiceStatus) =>
      write(`status ${ref.clientId}/${ref.serviceId}`, () =>
        exec(
          `INSERT INTO spawnit_statuses VALUES ($1, $2, $3)
           ON CONFLICT (client_id, service_id) DO UPDATE SET status = EXCLUDED.status`,
          [ref.clientId, ref.serviceId, JSON.stringify(status)],
        ),
      ),
    putJob: (record) =>
      write(`job ${record.clientId}/${record.id}`, () => exec(upsertJob, jobParams(record))),
    removeJobs: (keys) =>
      write(`remove jobs ${keys.map((k) => `${k.clientId}/${k.jobId}`).join(' ')}`, () =>
        exec(
          `DELETE FROM spawnit_jobs j USING unnest($1::text[], $2::text[]) AS k(client_id, job_id)
            WHERE j.client_id = k.client_id AND j.job_id = k.job_id`,
          [keys.map((k) => k.clientId), keys.map((k) => k.jobId)],
        ),
      ),
    putSavedPlan: (target, plan) =>
      write(`saved plan ${targetKeyOf(target)}${plan.planId}`, () =>
        exec('INSERT INTO spawnit_saved_plans VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
          targetKeyOf(target),
          plan.planId,
          plan.savedAt,
        ]),
      ),
    removeSavedPlans: (target, planIds) =>
      write(`remove saved plans ${targetKeyOf(target)}${planIds.join(' ')}`, () =>
        exec('DELETE FROM spawnit_saved_plans WHERE target_key = $1 AND plan_id = ANY($2::text[])', [
          targetKeyOf(target),
          planIds,
        ]),
      ),
    writeThrough(next) {
      gate = next;
    },

    async clients() {
      const rows = await query<{ c: string }>(
        `SELECT client_id AS c FROM spawnit_services UNION SELECT client_id FROM spawnit_networks
         UNION SELECT client_id FROM spawnit_jobs UNION SELECT client_id FROM spawnit_statuses ORDER BY 1`,
      );
      return rows.map((r) => r.c);
    },
    async listServices(clientId) {
      const rows = await query<{ entry: ServiceEntry }>(
        'SELECT entry FROM spawnit_services WHERE client_id = $1 ORDER BY service_id',
        [clientId],
      );
      return rows.map((r) => r.entry);
    },
    async listNetworks(clientId) {
      const rows = await query<{ entry: NetworkEntry }>(
        'SELECT entry FROM spawnit_networks WHERE client_id = $1 ORDER BY provider, network_name',
        [clientId],
      );
      return rows.map((r) => r.entry);
    },
    async services(keys) {
      const rows = await query<{ i: string; v: ServiceEntry }>(
        `SELECT k.i, s.entry AS v FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(client_id, service_id, i)
         JOIN spawnit_services s USING (client_id, service_id)`,
        [keys.map((k) => k.clientId), keys.map((k) => k.serviceId)],
      );
      return inOrder(keys.length, rows);
    },
    async networks(keys) {
      const rows = await query<{ i: string; v: NetworkEntry }>(
        `SELECT k.i, n.entry AS v
           FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(client_id, provider, network_name, i)
           JOIN spawnit_networks n USING (client_id, provider, network_name)`,
        [keys.map((k) => k.clientId), keys.map((k) => k.provider), keys.map((k) => k.networkName)],
      );
      return inOrder(keys.length, rows);
    },
    async statuses(keys) {
      const rows = await query<{ i: string; v: ServiceStatus }>(
        `SELECT k.i, s.status AS v FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(client_id, service_id, i)
         JOIN spawnit_statuses s USING (client_id, service_id)`,
        [keys.map((k) => k.clientId), keys.map((k) => k.serviceId)],
      );
      return inOrder(keys.length, rows);
    },
    async deployed(targets) {
      const rows = await query<{ target_key: string }>(
        'SELECT target_key FROM spawnit_deployed WHERE target_key = ANY($1::text[])',
        [targets.map(targetKeyOf)],
      );
      const found = new Set(rows.map((r) => r.target_key));
      return targets.map((t) => found.has(targetKeyOf(t)));
    },
    async jobs(keys) {
      const rows = await query<{ i: string; v: JobRecord }>(
        `SELECT k.i, j.record AS v FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(client_id, job_id, i)
         JOIN spawnit_jobs j USING (client_id, job_id)`,
        [keys.map((k) => k.clientId), keys.map((k) => k.jobId)],
      );
      return inOrder(keys.length, rows);
    },
    async listJobs(clientId, listOptions = {}) {
      if (listOptions.target) {
        return (await jobsOfTargets([listOptions.target], '', listOptions.limit))[0]!;
      }
      const rows = await query<{ record: JobRecord }>(
        `SELECT record FROM spawnit_jobs WHERE client_id = $1
          ORDER BY created_at DESC, seq DESC LIMIT $2`,
        [clientId, listOptions.limit ?? null],
      );
      return rows.map((r) => r.record);
    },
    jobsOf: (targets, limit) => jobsOfTargets(targets, '', limit),
    async lastPlans(targets) {
      const lists = await jobsOfTargets(targets, "AND kind = 'plan' AND NOT destroy", 1);
      return lists.map((list) => list[0]);
    },
    async savedPlans(target) {
      return query<SavedPlan>(
        `SELECT plan_id AS "planId", saved_at AS "savedAt" FROM spawnit_saved_plans
          WHERE target_key = $1 ORDER BY saved_at, plan_id`,
        [targetKeyOf(target)],
      );
    },
    async rebuild() {
      filled = undefined;
      await withLock(async (client) => {
        await client.query(SCHEMA);
        const snapshot = await options.load();
        await client.query('BEGIN');
        try {
          await client.query(`TRUNCATE ${TABLES}, spawnit_index_state`);
          await fill(client, snapshot);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      });
    },
    close: () => pool.end(),
  };
}
