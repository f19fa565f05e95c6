import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createS3Store, INSTANCE_LEASE_KEY } from '@spawnit/engine';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { FIXTURE_CATALOG, FIXTURE_MODULES, REPO_ROOT } from '../support/paths.js';
import { realStack } from '../support/real-stack.js';
import { startTestS3 } from '../support/s3-server.js';

const dirs: string[] = [];
// What `pnpm start` runs is the build `pnpm install` made; build it again so the test sees these sources.
beforeAll(async () => {
  await execa('node', ['packages/api/scripts/build.mjs'], { cwd: REPO_ROOT });
}, 120_000);
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The built `pnpm start` with `env`: resolves once its banner is printed, or once it exits before that. */
async function launch(env: Record<string, string>) {
  const child = execa('node', ['packages/api/dist/main.mjs'], {
    cwd: REPO_ROOT,
    env,
    reject: false,
    all: true,
  });
  const lines: string[] = [];
  const ready = await new Promise<boolean>((resolve) => {
    createInterface({ input: child.all! }).on('line', (line) => {
      lines.push(line);
      if (line.includes('Try:')) resolve(true);
    });
    child.once('exit', () => resolve(false));
  });
  return {
    child,
    ready,
    output: () => lines.join('\n'),
    /** SIGTERM, as a user's Ctrl-C or `docker stop`; resolves with the exit code. */
    async stop() {
      child.kill('SIGTERM');
      return (await child).exitCode;
    },
  };
}

/**
 * `pnpm start` on the embedded defaults until its banner is printed; then `whileRunning` (given the banner and
 * the environment it ran with), then stops it. Returns the banner.
 */
async function startOnce(
  dataDir: string,
  whileRunning?: (banner: string, env: Record<string, string>) => Promise<void>,
): Promise<string> {
  const [s3Port, oidcPort] = [await freePort(), await freePort()];
  const env = {
    PORT: '0',
    SPAWNIT_DATA_DIR: dataDir,
    SPAWNIT_EMBEDDED_S3_PORT: String(s3Port),
    SPAWNIT_EMBEDDED_OIDC_PORT: String(oidcPort),
    SPAWNIT_DRIFT_INTERVAL_MS: '0',
    SPAWNIT_TOFU_BIN: realStack().tofuBin,
    SPAWNIT_CATALOG_DIR: FIXTURE_CATALOG,
    SPAWNIT_MODULES_DIR: FIXTURE_MODULES,
  };
  const started = await launch(env);
  try {
    if (!started.ready) throw new Error(`pnpm start exited:\n${started.output()}`);
    await whileRunning?.(started.output(), env);
  } finally {
    await started.stop();
  }
  return started.output();
}

describe('pnpm start on the embedded defaults', () => {
  it('generates the state passphrase and the secrets key at first start (0600, path printed), then keeps them', async () => {
    const dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'spawnit-start-')), 'data');
    dirs.push(path.dirname(dataDir));
    const first = await startOnce(dataDir);
    const keysFile = path.join(dataDir, 'secret-keys.json');
    expect(first).toContain(`Keys:      generated now, kept in ${keysFile} (0600`);
    expect(first).toMatch(/Secrets: {3}state and plans encrypted \(OpenTofu.*secret parameters encrypted/);
    expect(first).not.toMatch(/WARNING: .*not (set|encrypted)/i);
    expect((await stat(keysFile)).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    // Everything the start wrote (embedded S3 and OIDC, the engine's folder) is the owner's only.
    const loose: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isSymbolicLink()) continue;
        const mode = (await stat(file)).mode & 0o777;
        if (entry.isDirectory() ? mode !== 0o700 : (mode & 0o077) !== 0)
          loose.push(`${file} ${mode.toString(8)}`);
        if (entry.isDirectory()) await walk(file);
      }
    };
    await walk(dataDir);
    expect(loose).toEqual([]);
    const keys = JSON.parse(await readFile(keysFile, 'utf8'));
    expect(keys.statePassphrase.length).toBeGreaterThanOrEqual(16);
    expect(Buffer.from(keys.secretsKey, 'base64')).toHaveLength(32);

    const second = await startOnce(dataDir, async (banner, env) => {
      // The commands the banner prints work as written, in a shell, on a machine without pnpm installed. The
      // shell is a user's: without the npm_* variables `pnpm test` puts in the tests' environment.
      const command = (label: string) => new RegExp(`^ {2}${label}: +(.+)$`, 'm').exec(banner)?.[1] ?? '';
      expect(command('Token')).toBe('npx --yes pnpm@10.34.8 -s token alice');
      const shell = {
        cwd: REPO_ROOT,
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm|pnpm)_/i.test(name))),
          ...env,
        },
        extendEnv: false,
        reject: false,
      };
      const token = await execa('bash', ['-c', command('Token')], shell);
      expect(token.stderr).toBe('');
      expect(token.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const tried = await execa('bash', ['-c', command('Try')], shell);
      expect(JSON.parse(tried.stdout)).toMatchObject({ data: { me: { username: 'alice' } } });
    });
    expect(second).toContain(`Keys:      kept in ${keysFile}`);
    expect(JSON.parse(await readFile(keysFile, 'utf8'))).toEqual(keys);
  });
});

describe('pnpm api and pnpm worker', () => {
  it('refuse to start without a database, naming the command and what to set', async () => {
    for (const role of ['api', 'worker']) {
      const result = await execa('node', [`packages/api/dist/main-${role}.mjs`], {
        cwd: REPO_ROOT,
        env: { SPAWNIT_DATA_DIR: path.join(tmpdir(), 'spawnit-never-written') },
        reject: false,
      });
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain(
        `\`pnpm ${role}\` needs SPAWNIT_DATABASE_URL: API processes and workers meet in PostgreSQL.`,
      );
    }
  });
});

describe('two SpawnIt processes on one bucket without a database', () => {
  it('refuses the second while the first runs, naming it; takes the bucket at once after a kill -9, frees it on SIGTERM, and stops when another took it', async () => {
    const s3 = await startTestS3('shared');
    const store = createS3Store({ ...s3, bucket: 'shared' });
    const envFor = async () => {
      const dataDir = await mkdtemp(path.join(tmpdir(), 'spawnit-lease-'));
      dirs.push(dataDir);
      return {
        PORT: '0',
        SPAWNIT_DATA_DIR: path.join(dataDir, 'data'),
        SPAWNIT_EMBEDDED_OIDC_PORT: String(await freePort()),
        SPAWNIT_S3_ENDPOINT: s3.endpoint,
        SPAWNIT_S3_BUCKET: 'shared',
        SPAWNIT_S3_ACCESS_KEY_ID: s3.accessKeyId,
        SPAWNIT_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        SPAWNIT_DRIFT_INTERVAL_MS: '0',
        SPAWNIT_TOFU_BIN: realStack().tofuBin,
        SPAWNIT_CATALOG_DIR: FIXTURE_CATALOG,
        SPAWNIT_MODULES_DIR: FIXTURE_MODULES,
      };
    };
    const running: Awaited<ReturnType<typeof launch>>[] = [];
    try {
      const first = await launch(await envFor());
      running.push(first);
      expect(first.ready, first.output()).toBe(true);
      const health = /Health: +(\S+)/.exec(first.output())![1]!;

      const second = await launch(await envFor());
      expect(second.ready).toBe(false);
      expect((await second.child).exitCode).toBe(1);
      expect(second.output()).toContain(
        `Bucket "shared" is held by another SpawnIt (pid ${first.child.pid} on host "${hostname()}", started at `,
      );
      expect(second.output()).toContain(
        `Cannot start: Another SpawnIt runs on bucket "shared" at ${s3.endpoint} without a database (pid ${first.child.pid} on host "${hostname()}"`,
      );
      expect(second.output()).toContain('give every process the same SPAWNIT_DATABASE_URL to run several.');
      // The first never noticed.
      expect((await fetch(health)).status).toBe(200);

      // A crash leaves its lease behind: the next start on this host sees its process gone and goes on.
      first.child.kill('SIGKILL');
      await first.child;
      const third = await launch(await envFor());
      running.push(third);
      expect(third.ready, third.output()).toBe(true);
      expect(third.output()).not.toContain('is held by another SpawnIt');
      expect(JSON.parse((await store.get(INSTANCE_LEASE_KEY))!.body.toString())).toMatchObject({
        host: hostname(),
        pid: third.child.pid,
      });

      // A stop gives the bucket back.
      expect(await third.stop()).toBe(0);
      expect(await store.get(INSTANCE_LEASE_KEY)).toBeUndefined();
      const fourth = await launch(await envFor());
      running.push(fourth);
      expect(fourth.ready, fourth.output()).toBe(true);
      expect(fourth.output()).not.toContain('is held by another SpawnIt');

      // Its lease taken by another (as when it could not renew in time): at its next renewal it stops, exit 1.
      await store.putJson(INSTANCE_LEASE_KEY, {
        id: 'another-start',
        host: 'another-machine',
        pid: 4242,
        startedAt: new Date().toISOString(),
        renewedAt: new Date().toISOString(),
      });
      expect((await fourth.child).exitCode).toBe(1);
      expect(fourth.output()).toContain(
        'WARNING: Another SpawnIt (pid 4242 on host "another-machine") took bucket "shared" after this process could not renew its lease in time: stopping, so the two do not run the same services.',
      );
      expect(fourth.output()).toContain('Stopped.');
      // It left the other's lease alone.
      expect(JSON.parse((await store.get(INSTANCE_LEASE_KEY))!.body.toString()).id).toBe('another-start');
    } finally {
      for (const process_ of running) if (process_.child.exitCode === null) await process_.stop();
      store.client.destroy();
      await s3.stop();
    }
  }, 180_000);
});
