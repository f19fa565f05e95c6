/**
 * `pnpm worker`: a worker of a scaled-out deployment. It takes runs and drift checks from the queue in
 * SPAWNIT_DATABASE_URL and runs tofu; no HTTP. Any number, on any machines that share the database and S3.
 */
import { startSpawnit } from './start-spawnit.js';

startSpawnit('worker');
