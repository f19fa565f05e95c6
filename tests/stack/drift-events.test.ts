import { describeDriftEvents } from '../support/drift-events.js';

// The one-process drift loop reacting to Docker's own events (the cases are in tests/support/drift-events.ts).
describeDriftEvents('in-process');
