import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from '../support/paths.js';
import { startVersitygw, type TestVersitygw } from '../support/versitygw.js';

// Two real tofu clients fight for one state's lock, with the S3 backend's lockfile (use_lockfile = true) on
// versitygw: the lock is only a lock if the server honours If-None-Match: *, and this is a server we did not
// write. Each client is its own working directory; both start at the same instant.

const FIXTURE = join(FIXTURES, 'tofu-lock-fight');
const KEY = 'services/fight/terraform.tfstate';
const HOLD_SECONDS = 5;

let root: string;
let cliConfig: string;
let tofu: string;
let server: TestVersitygw;
let s3: S3Client;

interface Run {
  name: string;
  exitCode: number | undefined;
  output: string;
  startedAt: number;
  endedAt: number;
}

function tofuBinary(): string {
  const bin = process.env.SPAWNIT_TOFU_BIN;
  if (!bin) {
    throw new Error(
      "SPAWNIT_TOFU_BIN is not set: the lock fight needs OpenTofu. Run scripts/stack/build-tofu.sh (vitest's global setup does) and set SPAWNIT_TOFU_BIN to the path it prints.",
    );
  }
  return bin;
}

function backendConfig(): string[] {
  return Object.entries({
    bucket: server.bucket,
    key: KEY,
    region: 'us-east-1',
    endpoints: `{ s3 = "${server.endpoint}" }`,
    use_path_style: 'true',
    use_lockfile: 'true',
    skip_credentials_validation: 'true',
    skip_requesting_account_id: 'true',
    skip_metadata_api_check: 'true',
  }).map(([name, value]) => `-backend-config=${name}=${value}`);
}

async function run(name: string, args: string[]): Promise<Run> {
  const startedAt = performance.now();
  const result = await execa(tofu, [...args, '-no-color', '-input=false'], {
    cwd: join(root, name),
    reject: false,
    all: true,
    env: {
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      AWS_ACCESS_KEY_ID: server.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    },
  });
  return { name, exitCode: result.exitCode, output: result.all ?? '', startedAt, endedAt: performance.now() };
}

async function lockExists(): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: server.bucket, Key: `${KEY}.tflock` }));
    return true;
  } catch (error) {
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return false;
    throw error;
  }
}

/** The lock's info while someone holds it (polled from the fight's start), to compare with what the loser says. */
async function watchLock(until: Promise<unknown>): Promise<{ ID: string; Operation: string; Who: string }> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  while (!done) {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: server.bucket, Key: `${KEY}.tflock` }));
      return JSON.parse((await object.Body?.transformToString()) ?? '');
    } catch (error) {
      if (!(error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) throw error;
    }
    await delay(50);
  }
  throw new Error('Nobody took the lock: neither apply got as far as locking the state.');
}

/** Both clients apply the same round at the same instant. */
async function fight(round: number, lockTimeout: string) {
  const args = (name: string) =>
    run(name, [
      'apply',
      '-auto-approve',
      `-lock-timeout=${lockTimeout}`,
      `-var=round=${round}`,
      `-var=hold_seconds=${HOLD_SECONDS}`,
    ]);
  const both = Promise.all([args('a'), args('b')]);
  const lock = await watchLock(both);
  const runs = await both;
  return { runs, lock };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

beforeAll(async () => {
  tofu = tofuBinary();
  server = await startVersitygw({ bucket: 'tfstate' });
  console.info(`[versitygw] started in ${server.startMs} ms`);
  root = await mkdtemp(join(tmpdir(), 'spawnit-lock-fight-'));
  // An empty CLI config: the machine's TF_CLI_CONFIG_FILE may point at a missing file.
  cliConfig = join(root, 'tofurc');
  await writeFile(cliConfig, '');
  s3 = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  for (const name of ['a', 'b']) {
    await cp(FIXTURE, join(root, name), { recursive: true });
    const init = await run(name, ['init', ...backendConfig()]);
    expect(init.exitCode, init.output).toBe(0);
  }
});

afterAll(async () => {
  s3?.destroy();
  await server?.stop();
  if (server) await rm(server.directory, { recursive: true, force: true });
  if (root) await rm(root, { recursive: true, force: true });
});

describe('two tofu clients, one state, the S3 lockfile on versitygw', () => {
  it('without a lock timeout: exactly one applies, the other fails naming the lock holder', async () => {
    const { runs, lock } = await fight(1, '0s');
    const winners = runs.filter((r) => r.exitCode === 0);
    const losers = runs.filter((r) => r.exitCode !== 0);
    expect(
      winners.map((r) => r.name),
      runs.map((r) => `${r.name}:\n${r.output}`).join('\n'),
    ).toHaveLength(1);
    const [winner, loser] = [winners[0]!, losers[0]!];
    expect(winner.output).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    expect(loser.output).toContain('Error acquiring the state lock');
    // The holder, named: the lock's ID, path, operation and who took it, as stored in the .tflock object.
    expect(lock.Operation).toBe('OperationTypeApply');
    expect(loser.output).toContain(`ID:        ${lock.ID}`);
    expect(loser.output).toContain(`Path:      ${server.bucket}/${KEY}`);
    expect(loser.output).toContain('Operation: OperationTypeApply');
    expect(loser.output).toContain(`Who:       ${lock.Who}`);
    expect(await lockExists()).toBe(false);
    const said = loser.output.slice(loser.output.indexOf('Error acquiring the state lock')).trim();
    console.info(
      `[lock fight, no wait] ${winner.name} won (${seconds(winner.endedAt - winner.startedAt)}); ${loser.name} failed after ${seconds(loser.endedAt - loser.startedAt)}, saying:\n${said}`,
    );
  });

  it('with a lock timeout: the loser waits for the lock, then finds the work done', async () => {
    const { runs } = await fight(2, '60s');
    expect(
      runs.map((r) => r.exitCode),
      runs.map((r) => `${r.name}:\n${r.output}`).join('\n'),
    ).toEqual([0, 0]);
    // The winner replaced the resource (its provisioner held the lock); the loser, once it got the lock,
    // planned against the winner's state: nothing left to do.
    const winner = runs.find((r) => r.output.includes('Resources: 1 added, 0 changed, 1 destroyed.'));
    const loser = runs.find((r) => r.output.includes('No changes.'));
    expect(winner, runs.map((r) => r.output).join('\n')).toBeDefined();
    expect(loser, runs.map((r) => r.output).join('\n')).toBeDefined();
    // It waited at least for the winner's provisioner, and finished after the winner released the lock.
    expect(loser!.endedAt).toBeGreaterThan(winner!.endedAt);
    expect(loser!.endedAt - loser!.startedAt).toBeGreaterThan(HOLD_SECONDS * 1000);
    expect(await lockExists()).toBe(false);
    const state = JSON.parse(
      (await (
        await s3.send(new GetObjectCommand({ Bucket: server.bucket, Key: KEY }))
      ).Body?.transformToString()) ?? '',
    );
    expect(state.outputs.round.value).toBe('round 2');
    console.info(
      `[lock fight, -lock-timeout=60s] ${winner!.name} won (${seconds(winner!.endedAt - winner!.startedAt)}); ${loser!.name} waited and finished ${seconds(loser!.endedAt - loser!.startedAt)} after its start, ${seconds(loser!.endedAt - winner!.endedAt)} after the winner`,
    );
  });
});
