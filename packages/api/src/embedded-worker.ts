/**
 * The embedded S3 server and OIDC provider in a worker thread of their own (`startEmbeddedServers` starts it):
 * loading them and answering their requests takes a core the API's event loop does not need.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  type EmbeddedServersOptions,
  type EmbeddedWorkerMessage,
  startEmbeddedServersHere,
} from './embedded-defaults.js';

const port = parentPort!;
const post = (message: EmbeddedWorkerMessage) => port.postMessage(message);
const starting = startEmbeddedServersHere(workerData as EmbeddedServersOptions);

// Listening before the start ends: a stop sent meanwhile waits for it.
port.on('message', async (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  let failure: string | undefined;
  await starting
    .then(
      (servers) => servers.stop(),
      () => undefined,
    )
    .catch((error: unknown) => {
      failure = (error as Error).message;
    });
  post({ type: 'stopped', failure });
  port.close();
});

starting.then(
  ({ s3, oidc }) => post({ type: 'started', s3, oidc }),
  (error: unknown) => post({ type: 'failed', message: (error as Error).message }),
);
