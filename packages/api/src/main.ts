/**
 * `pnpm start`: SpawnIt in one process (GraphQL, runs, drift checks), on the embedded defaults or on what the
 * environment configures; with a database, SPAWNIT_ROLE may make it an API process or a worker only.
 */
import { startSpawnit } from './start-spawnit.js';

startSpawnit();
