import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'pg';
import { targetKeyOf } from '../../store/keys.js';
import type { KeptStates } from '../ports.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spawnit_kept_states (
  target_key text NOT NULL, name text NOT NULL, body bytea NOT NULL, at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_key, name));
`;

/**
 * Kept states in PostgreSQL: a state tofu could not save to S3 is copied here as it is (encrypted when
 * OpenTofu encrypts states), so the next run of its target pushes it back whichever worker takes it, on
 * whichever machine. Rows go once the file is pushed.
 */
export async function createPostgresKeptStates(pool: Pool): Promise<KeptStates> {
  await pool.query(SCHEMA);
  const namesIn = async (dir: string) =>
    (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.tfstate'));
  return {
    async share(ref, file) {
      await pool.query(
        'INSERT INTO spawnit_kept_states (target_key, name, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [targetKeyOf(ref), path.basename(file), await readFile(file)],
      );
    },
    async fetch(ref, dir) {
      const here = await namesIn(dir);
      const { rows } = await pool.query<{ name: string; body: Buffer }>(
        'SELECT name, body FROM spawnit_kept_states WHERE target_key = $1 ORDER BY name',
        [targetKeyOf(ref)],
      );
      const shared = new Set(rows.map((row) => row.name));
      // The table is the truth: a file here that is not there was pushed back by another worker, and pushing
      // it again would put an older state over a newer one.
      for (const name of here) if (!shared.has(name)) await rm(path.join(dir, name), { force: true });
      const missing = rows.filter((row) => !here.includes(row.name));
      if (missing.length === 0) return;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      for (const row of missing) await writeFile(path.join(dir, row.name), row.body, { mode: 0o600 });
    },
    async settle(ref, dir) {
      await pool.query(
        'DELETE FROM spawnit_kept_states WHERE target_key = $1 AND NOT (name = ANY($2::text[]))',
        [targetKeyOf(ref), await namesIn(dir)],
      );
    },
  };
}
