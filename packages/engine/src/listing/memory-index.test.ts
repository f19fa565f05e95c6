import { describe, expect, it } from 'vitest';
import type { TargetRef } from '../store/keys.js';
import { emptyIndexSnapshot, type IndexSnapshot } from './listing-index.js';
import { createMemoryIndex } from './memory-index.js';

const web: TargetRef = { kind: 'service', clientId: 'alice', serviceId: 'web' };
const db: TargetRef = { kind: 'service', clientId: 'alice', serviceId: 'db' };
const empty = emptyIndexSnapshot;

// The cases every adapter shares run on both in tests/engine/postgres-index.test.ts.
describe('createMemoryIndex', () => {
  it('replays writes made during the scan over what the scan read', async () => {
    let finish!: (s: IndexSnapshot) => void;
    const index = createMemoryIndex({ load: () => new Promise((resolve) => (finish = resolve)) });
    const reading = index.clients();
    const entry = {
      clientId: 'alice',
      serviceId: 'web',
      templateId: 'echo',
      provider: 'local' as const,
      networkName: 'default',
      createdAt: 'a',
      updatedAt: 'b',
    };
    await index.setDeployed(web, false);
    // The scan read the state before the apply that the write reports.
    finish({ ...empty(), services: [entry], deployed: [web] });
    await reading;
    expect(await index.deployed([web, db])).toEqual([false, false]);
    expect(await index.services([{ clientId: 'alice', serviceId: 'web' }])).toEqual([entry]);
  });
});
