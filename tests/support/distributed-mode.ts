import { afterAll } from 'vitest';

// Imported first by a test file that re-runs other files' cases in the distributed mode: their startApi calls
// (in their beforeAll) read SPAWNIT_TEST_MODE after this has set it.
const previous = process.env.SPAWNIT_TEST_MODE;
process.env.SPAWNIT_TEST_MODE = 'distributed';
afterAll(() => {
  if (previous === undefined) delete process.env.SPAWNIT_TEST_MODE;
  else process.env.SPAWNIT_TEST_MODE = previous;
});
