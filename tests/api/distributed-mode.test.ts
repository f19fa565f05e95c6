// Tenancy and the whole API flow again, in the distributed mode: the job service on PostgreSQL, the runs on a
// worker with an engine of its own (tests/support/api.ts). Every API file runs this way with
// SPAWNIT_TEST_MODE=distributed; these two keep the default run honest about it without doubling its time.
import '../support/distributed-mode.js';
import './tenancy.test.js';
import './flow.test.js';
