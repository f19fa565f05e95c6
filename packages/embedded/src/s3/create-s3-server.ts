import { mkdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import S3rver from 's3rver';
import { cacheBuckets } from './bucket-cache.js';
import { createKeyedMutex } from './keyed-mutex.js';
import { createListObjects } from './list-objects.js';
import { cacheMetadata } from './metadata-cache.js';
import type { S3rverInternals, S3rverMiddleware } from './s3rver-internals.js';
import {
  createAtomicPutObject,
  createDeleteObject,
  createPutMetadata,
  createPutPart,
} from './store-writes.js';
import { useConditionalWrites } from './use-conditional-writes.js';
import { useListObjectsV2 } from './use-list-objects-v2.js';
import { useRequestPayload } from './use-request-payload.js';
import { type S3Credentials, useSignatureV4 } from './use-signature-v4.js';

export interface S3ServerOptions {
  /**
   * Where buckets and objects live (`<directory>/buckets`, plus `<directory>/tmp` for uploads in
   * progress). Created if missing; reused as is on the next start, so data survives restarts.
   */
  directory: string;
  /**
   * Address to listen on.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Port to listen on; 0 picks a free one at each start.
   * @default 0
   */
  port?: number;
  /**
   * Buckets created at start when missing; existing content is kept.
   * @default []
   */
  buckets?: string[];
  /**
   * The only access key id accepted; requests must be signed with AWS Signature V4.
   * @default 'S3RVER'
   */
  accessKeyId?: string;
  /**
   * The secret matching `accessKeyId`.
   * @default 'S3RVER'
   */
  secretAccessKey?: string;
  /**
   * Honour `If-None-Match`/`If-Match` on writes. Off, the server behaves like plain s3rver, which ignores
   * them: only for testing how clients cope with such a store.
   * @default true
   */
  conditionalWrites?: boolean;
  /**
   * Silences s3rver's per-request log lines on stdout.
   * @default true
   */
  silent?: boolean;
}

export interface S3Server {
  /** `http://host:port` while running; throws before the first start. */
  readonly endpoint: string;
  readonly credentials: S3Credentials;
  /** Creates the configured buckets and listens. */
  start(): Promise<{ endpoint: string }>;
  /** Stops listening; waits for requests in flight. */
  stop(): Promise<void>;
}

/**
 * An S3-compatible server for SpawnIt's embedded defaults and tests: s3rver, path-style only, plus
 * what Terraform's S3 backend and the AWS SDK v3 need from S3 and s3rver lacks — conditional writes
 * (the lockfile), Signature V4 verification, `aws-chunked` uploads, checksums, atomic object writes
 * and paginated ListObjectsV2. Nothing listens until `start()`.
 */
export function createS3Server(options: S3ServerOptions): S3Server {
  const host = options.host ?? '127.0.0.1';
  const credentials: S3Credentials = {
    accessKeyId: options.accessKeyId ?? 'S3RVER',
    secretAccessKey: options.secretAccessKey ?? 'S3RVER',
  };
  // One mutex per server object, so restarts in one process keep serializing the same keys.
  const mutex = createKeyedMutex();
  let running: S3rver | undefined;
  let endpoint: string | undefined;

  return {
    get endpoint() {
      if (endpoint === undefined) throw new Error('The S3 server has not been started: call start() first.');
      return endpoint;
    },
    credentials,

    async start() {
      if (running) throw new Error(`The S3 server is already running at ${endpoint}.`);
      const bucketsDirectory = join(options.directory, 'buckets');
      const tmpDirectory = join(options.directory, 'tmp');
      await mkdir(bucketsDirectory, { recursive: true });
      // Uploads cut short by a crash leave files here; they never became objects.
      await rm(tmpDirectory, { recursive: true, force: true });
      await mkdir(tmpDirectory, { recursive: true });
      const server = new S3rver({
        address: host,
        port: options.port ?? 0,
        directory: bucketsDirectory,
        silent: options.silent ?? true,
        // Buckets are addressed by path only; hostnames on loopback carry no bucket.
        vhostBuckets: false,
        configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] })),
      });
      const internals = server as unknown as S3rverInternals;
      internals.store.putObject = createAtomicPutObject(internals.store, tmpDirectory);
      internals.store.putPart = createPutPart(internals.store);
      internals.store.putMetadata = createPutMetadata(internals.store);
      internals.store.deleteObject = createDeleteObject(internals.store);
      internals.store.listObjects = createListObjects(internals.store, bucketsDirectory);
      cacheMetadata(internals.store);
      cacheBuckets(internals.store);
      // s3rver's last middleware is its router: ours run just before it, after its XML error and
      // body encoding, so errors we throw come out as S3 XML errors.
      const ours: S3rverMiddleware[] = [
        useSignatureV4(credentials),
        useListObjectsV2(),
        useRequestPayload(),
        ...(options.conditionalWrites === false ? [] : [useConditionalWrites(mutex)]),
      ];
      internals.middleware.splice(internals.middleware.length - 1, 0, ...ours);
      if (options.silent ?? true) {
        // s3rver formats a coloured line for every request even when silent, then drops it: a tenth of its
        // CPU per request (measured on drift checks). Its first middleware is that logger.
        const logger = internals.middleware.findIndex((fn) => fn.name === 'logger');
        if (logger >= 0) internals.middleware.splice(logger, 1);
      }

      const address = await server.run();
      running = server;
      endpoint = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
      return { endpoint };
    },

    async stop() {
      const server = running;
      if (!server) return;
      running = undefined;
      const httpServer = (server as unknown as { httpServer: Server }).httpServer;
      const closed = server.close();
      // Keep-alive sockets of SDK clients would hold close() open until they time out.
      httpServer.closeIdleConnections();
      await closed;
    },
  };
}
