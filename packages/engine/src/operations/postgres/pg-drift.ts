import type { Engine } from '../../engine.js';
import { targetKeyOf } from '../../store/keys.js';
import { checkDrift } from '../drift-check.js';
import { deployedServices } from '../drift-loop.js';
import type { EventBus, KeptStates } from '../ports.js';
import type { ServiceStatuses } from '../service-status.js';

export interface DriftPayload {
  clientId: string;
  serviceId: string;
}

/** What a worker's drift checks came to. */
export interface DriftCheckStats {
  /** Checks that ran to a status. */
  planned: number;
  /** Checks stopped because a user's job asked for the service. */
  preempted: number;
}

/**
 * Drift checks as queued work every worker shares: each pass queues one check per deployed service, spread
 * over the interval, in the service's own queue (so never beside a run of it). A check already waiting for a
 * service is kept, not doubled. Every worker may schedule: the checks' keys make the passes agree.
 */
export function scheduleDriftChecks(options: {
  engine: Engine;
  addDriftCheck: (
    ref: { kind: 'service'; clientId: string; serviceId: string },
    runAt: Date,
  ) => Promise<void>;
  intervalMs: number;
  onError: (error: unknown) => void;
}): { stop(): void } {
  let stopped = false;
  const pass = async () => {
    const services = await deployedServices(options.engine);
    const now = Date.now();
    const step = services.length > 0 ? options.intervalMs / services.length : 0;
    for (const [i, ref] of services.entries()) {
      if (stopped) return;
      await options.addDriftCheck(ref, new Date(now + Math.floor(i * step)));
    }
  };
  const timer = setInterval(() => void pass().catch(options.onError), options.intervalMs);
  timer.unref();
  void pass().catch(options.onError);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/**
 * One drift check, run by whichever worker takes it: the kept state pushed back first (as a job does), then
 * a plan that saves nothing, then the status. A user's job queued for the service meanwhile stops the check
 * (it finds the status itself).
 */
export function createDriftTask(deps: {
  engine: Engine;
  bus: EventBus;
  statuses: ServiceStatuses;
  dataDir: string;
  keptStates?: KeptStates;
  stats: DriftCheckStats;
}): (payload: unknown) => Promise<void> {
  const { engine, bus, statuses } = deps;
  return async (payload) => {
    const { clientId, serviceId } = payload as DriftPayload;
    const ref = { kind: 'service' as const, clientId, serviceId };
    const key = targetKeyOf(ref);
    const controller = new AbortController();
    const unsubscribe = bus.subscribe('jobUpdated', (job) => {
      if (job.state === 'queued' && targetKeyOf(job.target) === key) controller.abort();
    });
    try {
      if (!(await engine.index.deployed([ref]))[0]) return;
      const outcome = await checkDrift(
        { engine, dataDir: deps.dataDir, recordStatus: statuses.record, keptStates: deps.keptStates },
        ref,
        controller.signal,
      );
      if (outcome === 'preempted') deps.stats.preempted += 1;
      if (outcome === 'planned') deps.stats.planned += 1;
    } finally {
      unsubscribe();
    }
  };
}
