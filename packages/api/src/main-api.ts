/**
 * `pnpm api`: an API process of a scaled-out deployment. It answers GraphQL and queues runs, and runs none;
 * any number side by side, sharing SPAWNIT_DATABASE_URL and S3 with the workers (README, "Scale out").
 */
import { startSpawnit } from './start-spawnit.js';

startSpawnit('api');
