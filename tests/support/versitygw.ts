import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, constants, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from './free-port.js';
import type { TestS3Server } from './s3-server.js';

export interface TestVersitygw extends TestS3Server {
  /** Milliseconds from spawning versitygw to its first HTTP answer (the last start, after a `restart`). */
  startMs: number;
}

export interface StartVersitygwOptions {
  /** The bucket created once the server answers. @default 'spawnit' */
  bucket?: string;
  /** How long to wait for the first answer. @default 15_000 */
  timeoutMs?: number;
}

/** The binary scripts/stack/build-versitygw.sh built; a clear error, never a skip, when it is missing. */
async function findVersitygw(): Promise<string> {
  const bin = process.env.SPAWNIT_VERSITYGW_BIN;
  if (!bin) {
    throw new Error(
      "SPAWNIT_VERSITYGW_BIN is not set: the tests on versitygw need it. Run scripts/stack/build-versitygw.sh (vitest's global setup does, through scripts/stack/prepare.sh) and set SPAWNIT_VERSITYGW_BIN to the path it prints.",
    );
  }
  try {
    await access(bin, constants.X_OK);
  } catch {
    throw new Error(
      `SPAWNIT_VERSITYGW_BIN=${bin} is not an executable file: run scripts/stack/build-versitygw.sh and point SPAWNIT_VERSITYGW_BIN at the path it prints.`,
    );
  }
  return bin;
}

/**
 * versitygw (an independent S3 server, Apache-2.0) with its posix backend in a fresh folder, root credentials
 * of its own, on a free loopback port, with `bucket` created: shaped like the embedded server's harness, so
 * every helper takes either.
 */
export async function startVersitygw(options: StartVersitygwOptions = {}): Promise<TestVersitygw> {
  const bin = await findVersitygw();
  const bucket = options.bucket ?? 'spawnit';
  const timeoutMs = options.timeoutMs ?? 15_000;
  const directory = await mkdtemp(path.join(tmpdir(), 'spawnit-versitygw-'));
  const accessKeyId = `vgw-${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const launch = async (): Promise<number> => {
    const started = performance.now();
    const output: string[] = [];
    const proc = spawn(bin, ['--port', `127.0.0.1:${port}`, 'posix', directory], {
      // Credentials through the environment: the command line is visible to every user of the machine.
      env: { ...process.env, ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.length > 50) output.shift();
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    let exited: string | undefined;
    proc.once('exit', (code, signal) => {
      exited = `exited (${signal ?? `code ${code}`})`;
    });
    proc.once('error', (error) => {
      exited = `failed to start (${error.message})`;
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited) {
        throw new Error(`versitygw (${bin}) ${exited} before answering on ${endpoint}:\n${output.join('')}`);
      }
      // Any HTTP answer (403 to an unsigned request) means it serves S3.
      const answered = await fetch(endpoint, { signal: AbortSignal.timeout(1000) }).then(
        () => true,
        () => false,
      );
      if (answered) return Math.round(performance.now() - started);
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(
          `versitygw (${bin}) did not answer on ${endpoint} within ${timeoutMs} ms:\n${output.join('')}`,
        );
      }
      await delay(20);
    }
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    const force = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(force);
  };

  let startMs = await launch();
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    bucket,
    directory,
    accessKeyId,
    secretAccessKey,
    get startMs() {
      return startMs;
    },
    stop,
    async restart() {
      startMs = await launch();
    },
  };
}
