import type { Engine } from '../engine.js';
import type { TargetRef } from '../store/keys.js';
import type { ServiceStatus } from './events.js';
import type { KeptStates } from './ports.js';
import { pushKeptStates } from './worker/steps.js';

export interface DriftCheckDeps {
  engine: Engine;
  /** Local folder of states kept after a failed save. */
  dataDir: string;
  recordStatus(clientId: string, serviceId: string, status: ServiceStatus): Promise<void>;
  /** Kept states shared between workers, in the scaled-out mode. */
  keptStates?: KeptStates;
}

/**
 * One drift check of a deployed service, as the drift loop and the workers' queued checks run it: a state an
 * earlier run could not save goes back first (as a job does, or the plan reads a stale one), then a plan that
 * saves nothing, then the status. `beforeRecord` runs between the plan and the status (figures that whoever
 * sees the status should see too). Says whether it planned, was stopped through `signal`, or found the
 * service blocked by a kept state (recorded as an error status).
 */
export async function checkDrift(
  deps: DriftCheckDeps,
  ref: Extract<TargetRef, { kind: 'service' }>,
  signal: AbortSignal,
  beforeRecord?: () => void,
): Promise<'planned' | 'preempted' | 'blocked'> {
  const { engine, recordStatus } = deps;
  try {
    await pushKeptStates(engine, deps.dataDir, ref, {}, deps.keptStates);
  } catch (error) {
    await recordStatus(ref.clientId, ref.serviceId, {
      status: 'error',
      checkedAt: new Date().toISOString(),
      summary: undefined,
      error: (error as Error).message,
      source: 'drift',
    });
    return 'blocked';
  }
  const result = await engine.plan(ref, { save: false, signal });
  if (result.cancelled) return 'preempted';
  beforeRecord?.();
  await recordStatus(ref.clientId, ref.serviceId, {
    status: result.status,
    checkedAt: new Date().toISOString(),
    summary: result.summary,
    error: result.error,
    source: 'drift',
  });
  return 'planned';
}
