import { expect, it } from 'vitest';
import { startEngine } from '../support/engine.js';

// The engine's core cases (engine-core.test.ts), case for case, with versitygw under the engine instead of
// the embedded S3 server: startEngine reads this before the cases load.
process.env.SPAWNIT_TEST_S3_SERVER = 'versitygw';
await import('./engine-core.test.js');

it('ran those cases on versitygw, with the S3 lockfile on', async () => {
  const h = await startEngine();
  try {
    expect(h.s3).toHaveProperty('startMs');
    expect(h.engine.useLockfile).toBe(true);
  } finally {
    await h.close();
  }
});
