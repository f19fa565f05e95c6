import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createS3Server } from '@spawnit/embedded';

export interface TestS3Server {
  endpoint: string;
  bucket: string;
  directory: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
  /** Starts again on the same port and directory (after `stop`). */
  restart(): Promise<void>;
}

/** The embedded S3 server (conditional writes honoured) on a random loopback port, in a fresh folder. */
export async function startTestS3(
  bucket = 'spawnit',
  options: { conditionalWrites?: boolean } = {},
): Promise<TestS3Server> {
  const directory = await mkdtemp(path.join(tmpdir(), 'spawnit-s3-'));
  let server = createS3Server({ directory, buckets: [bucket], ...options });
  const { endpoint } = await server.start();
  const port = Number(new URL(endpoint).port);
  return {
    endpoint,
    bucket,
    directory,
    accessKeyId: server.credentials.accessKeyId,
    secretAccessKey: server.credentials.secretAccessKey,
    stop: () => server.stop(),
    async restart() {
      server = createS3Server({ directory, buckets: [bucket], port, ...options });
      await server.start();
    },
  };
}
