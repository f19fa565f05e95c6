import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, chown, constants, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export interface TestPostgres {
  /** `postgres://spawnit@127.0.0.1:<port>/spawnit` */
  url: string;
  port: number;
  /** Creates another empty database on the same server and gives its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (a fast shutdown: sessions are cut), keeping its files. */
  stop(): Promise<void>;
  /** Starts it again on the same port and files. */
  start(): Promise<void>;
  /** Stops it and deletes its files. */
  close(): Promise<void>;
}

/** Debian's PostgreSQL server binaries; a clear error, never a skip, when they are missing. */
async function findBinaries(): Promise<string> {
  const root = '/usr/lib/postgresql';
  const versions = (await readdir(root).catch(() => [] as string[])).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = path.join(root, version, 'bin');
    const ok = await access(path.join(bin, 'postgres'), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return bin;
  }
  throw new Error(
    'No PostgreSQL server found under /usr/lib/postgresql: the PostgreSQL-mode tests need one. Install it with `apt-get install -y postgresql-15` (scripts/stack/install-clients.sh does, through scripts/stack/prepare.sh).',
  );
}

/**
 * A PostgreSQL cluster of its own in a temp folder, listening on a free loopback port with trust
 * authentication (tests only), and a `spawnit` database. PostgreSQL refuses to run as root: as root, it runs
 * as the `postgres` user Debian's package creates.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = await findBinaries();
  const dir = await mkdtemp(path.join(tmpdir(), 'spawnit-pg-'));
  const data = path.join(dir, 'data');
  // The server's own processes run as `postgres` (spawned with its uid), so signals reach them directly.
  let user: { uid: number; gid: number } | undefined;
  if (userInfo().uid === 0) {
    const { stdout: uid } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    user = { uid: Number(uid.trim()), gid: Number(gid.trim()) };
    await chown(dir, user.uid, user.gid);
  }
  await run(
    path.join(bin, 'initdb'),
    ['-D', data, '-U', 'spawnit', '-A', 'trust', '--no-sync', '-E', 'UTF8'],
    { ...user, cwd: dir },
  );
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const proc = spawn(
      path.join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'max_connections=200',
      ],
      { ...user, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    child = proc;
    proc.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const deadline = Date.now() + 30_000;
    const ready = ['-h', '127.0.0.1', '-p', String(port), '-U', 'spawnit'];
    while (true) {
      if (proc.exitCode !== null) throw new Error(`PostgreSQL exited at start:\n${output.join('')}`);
      const ok = await run(path.join(bin, 'pg_isready'), ready).then(
        () => true,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not answer in 30 s:\n${output.join('')}`);
      await delay(100);
    }
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    // SIGINT: the fast shutdown, every session cut as a crash or a restart would.
    proc.kill('SIGINT');
    await exited;
  };
  const createDatabase = async (name: string) => {
    // Over TCP as the `spawnit` superuser: any local user may run the client.
    await run(path.join(bin, 'psql'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-U',
      'spawnit',
      '-d',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `CREATE DATABASE "${name}"`,
    ]);
    return `postgres://spawnit@127.0.0.1:${port}/${name}`;
  };

  await start();
  const url = await createDatabase('spawnit');
  return {
    url,
    port,
    createDatabase,
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
