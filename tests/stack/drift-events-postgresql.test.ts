import { describeDriftEvents } from '../support/drift-events.js';

// The same cases in the scaled-out mode: drift checks queued in PostgreSQL, two workers watching the same
// Docker events (each event queues one check, not one per worker), `system { driftLag }` read from PostgreSQL.
describeDriftEvents('distributed', 2);
