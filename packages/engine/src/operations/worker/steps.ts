import type { Engine } from '../../engine.js';
import { NotFoundError } from '../../errors.js';
import type { JobRecord } from '../../job/job.js';
import type { JobProgress } from '../../runner/apply-events.js';
import type { PlanResult } from '../../runner/plan.js';
import type { RunHooks } from '../../runner/run-context.js';
import { networkRef } from '../../service/network-config.js';
import { describeTarget, type TargetRef, targetPrefix } from '../../store/keys.js';
import type { ResolvedTarget } from '../../workdir/resolve-target.js';
import type { CompliantNetworks } from '../network-check.js';
import { fingerprintNetwork } from '../network-check.js';
import type { KeptStates, LiveLog, TargetLock } from '../ports.js';
import type { ServiceStatuses } from '../service-status.js';
import { pendingStates, pushPendingStates, recoveryDirOf } from '../state-recovery.js';

/** What a step ends with: go on to the next step, or end the job here. */
export type StepOutcome =
  | { next: true; patch?: Partial<JobRecord> }
  | {
      next: false;
      state: 'succeeded' | 'failed' | 'cancelled';
      patch?: Partial<JobRecord>;
      error?: string;
    };

/** What every step of a job can use. */
export interface StepContext {
  engine: Engine;
  dataDir: string;
  lock: TargetLock;
  statuses: ServiceStatuses;
  compliantNetworks: CompliantNetworks;
  /** Kept states shared between workers, in the scaled-out mode. */
  keptStates: KeptStates | undefined;
  record: JobRecord;
  log: LiveLog;
  /**
   * The target's configuration, read from the job's start (under its lock) beside the steps before the
   * plan: a service plan's network check then does not add an S3 read in front of tofu.
   */
  target: Promise<ResolvedTarget>;
  /** For tofu: lines to the log, the cancel signals, the pid for the active marker, progress. */
  hooks: RunHooks & { onProgress: (progress: JobProgress) => void };
}

export interface Step {
  name: string;
  run(ctx: StepContext): Promise<StepOutcome>;
}

const next = (patch?: Partial<JobRecord>): StepOutcome => ({ next: true, patch });
const capitalize = (text: string) => `${text[0]!.toUpperCase()}${text.slice(1)}`;
type ServiceRef = Extract<TargetRef, { kind: 'service' }>;

/** A state kept after an earlier failed save goes back first; until then the target is blocked. */
export async function pushKeptStates(
  engine: Engine,
  dataDir: string,
  ref: TargetRef,
  hooks: Pick<RunHooks, 'onLine' | 'ready'> = {},
  shared?: KeptStates,
): Promise<number> {
  const dir = recoveryDirOf(dataDir, ref);
  // Kept by another worker, maybe on another machine: here first.
  await shared?.fetch(ref, dir);
  try {
    // Nearly always none: the target's configuration is read from S3 only when there is one to push.
    if ((await pendingStates(dir)).length === 0) return 0;
    return await pushPendingStates(engine.runContext, await engine.resolve(ref), dir, hooks);
  } finally {
    await shared?.settle(ref, dir).catch(() => undefined);
  }
}

const pushKept: Step = {
  name: 'push kept states',
  async run({ engine, dataDir, record, log, hooks, keptStates }) {
    const pushed = await pushKeptStates(engine, dataDir, record.target, hooks, keptStates);
    if (pushed > 0) log.append(`Recovered ${pushed} state file(s) that an earlier run could not save.`);
    return next();
  },
};

/** Before a service plan: its network must be configured and plan with no changes. */
const checkNetwork: Step = {
  name: 'check network',
  async run({ engine, lock, compliantNetworks, record, log, hooks }) {
    const ref = record.target as ServiceRef;
    // From the index: the run reads both configurations from S3 anyway, once, where it needs them.
    const [service] = await engine.index.services([ref]);
    if (!service) throw new NotFoundError(`${describeTarget(ref)} does not exist.`);
    const network = networkRef(ref.clientId, service.provider, service.networkName) as Extract<
      TargetRef,
      { kind: 'network' }
    >;
    const name = `network "${service.networkName}" (${service.provider})`;
    const [configured] = await engine.index.networks([
      { clientId: ref.clientId, provider: service.provider, networkName: service.networkName },
    ]);
    if (!configured) {
      return {
        next: false,
        state: 'failed',
        error: `Service "${ref.serviceId}" sits on ${name}, which is not configured; create the network "${service.networkName}" for provider ${service.provider} and apply it, then plan again.`,
      };
    }
    log.append(`Checking ${name} before planning service "${ref.serviceId}"...`);
    const networkKey = targetPrefix(network);
    const release = await lock.acquire(networkKey, hooks.signal);
    let result: PlanResult;
    let fingerprint: string | undefined;
    try {
      // Read while the network is held: no run of SpawnIt can change its state meanwhile.
      fingerprint = await fingerprintNetwork(engine, network);
      const since = compliantNetworks.compliantAt(networkKey, fingerprint);
      if (since) {
        log.append(
          `${capitalize(name)} is compliant: its state and configuration are unchanged since its check at ${since}.`,
        );
        return next();
      }
      result = await engine.plan(network, {
        save: false,
        ready: hooks.ready,
        signal: hooks.signal,
        onLine: (l) => log.append(`[network] ${l}`),
      });
    } finally {
      release();
    }
    compliantNetworks.remember(networkKey, result.status === 'compliant' ? fingerprint : undefined);
    if (result.cancelled) {
      return { next: false, state: 'cancelled', error: `The check of ${name} was cancelled.` };
    }
    if (result.status === 'error') {
      return {
        next: false,
        state: 'failed',
        error: `The check of ${name} failed, so service "${ref.serviceId}" was not planned: ${result.error}`,
      };
    }
    if (result.status === 'drifted') {
      const s = result.summary!;
      return {
        next: false,
        state: 'failed',
        error: `${capitalize(name)} is not deployed as configured (its plan has ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy); apply the network, then plan service "${ref.serviceId}" again.`,
      };
    }
    log.append(`${capitalize(name)} is compliant.`);
    return next();
  },
};

const plan: Step = {
  name: 'plan',
  async run({ engine, statuses, record, hooks, target }) {
    const ref = record.target;
    const result = await engine.plan(ref, { ...hooks, destroy: record.destroy, target });
    const patch = {
      planId: result.saved ? result.planId : undefined,
      planStatus: result.status,
      summary: result.summary,
    };
    if (result.cancelled) {
      return { next: false, state: 'cancelled', patch, error: result.error ?? 'Cancelled.' };
    }
    if (ref.kind === 'service' && !record.destroy) {
      // Even a failed plan says something about the service.
      await statuses.record(ref.clientId, ref.serviceId, {
        status: result.status,
        checkedAt: new Date().toISOString(),
        summary: result.summary,
        error: result.error,
        source: 'job',
      });
    }
    if (result.status === 'error') return { next: false, state: 'failed', patch, error: result.error! };
    return next(patch);
  },
};

const apply: Step = {
  name: 'apply',
  async run({ engine, record, hooks }) {
    const applied = await engine.apply(record.target, record.planId!, hooks);
    return next({ summary: applied.summary, destroy: applied.destroy });
  },
};

/** A destroy job: its plan, then its apply, in one job (the engine's destroy, as a library user gets it). */
const destroy: Step = {
  name: 'plan and apply the destruction',
  async run({ engine, record, log, hooks }) {
    const ref = record.target;
    const { plan: destroyPlan } = await engine.destroy(ref, hooks);
    if (destroyPlan.cancelled) {
      return { next: false, state: 'cancelled', error: destroyPlan.error ?? 'Cancelled.' };
    }
    if (destroyPlan.status === 'error') return { next: false, state: 'failed', error: destroyPlan.error! };
    if (destroyPlan.status === 'compliant') {
      log.append(`Nothing to destroy: ${describeTarget(ref)} has no resources.`);
      return next({ planStatus: 'compliant', summary: destroyPlan.summary });
    }
    return next({ planId: destroyPlan.planId, planStatus: destroyPlan.status, summary: destroyPlan.summary });
  },
};

/** After an apply or destroy: the service is as configured (or gone), until a plan says otherwise. */
const recordApplied: Step = {
  name: 'record status',
  async run({ statuses, record, hooks }) {
    const ref = record.target;
    if (hooks.signal?.aborted || hooks.forceSignal?.aborted || ref.kind !== 'service') return next();
    await statuses.record(ref.clientId, ref.serviceId, {
      status: 'compliant',
      checkedAt: new Date().toISOString(),
      summary: undefined,
      error: undefined,
      source: 'apply',
    });
    return next();
  },
};

/** The steps a job runs, in order. */
export function stepsOf(record: JobRecord): Step[] {
  if (record.kind === 'plan') {
    const checksNetwork = record.target.kind === 'service' && !record.destroy;
    return checksNetwork ? [pushKept, checkNetwork, plan] : [pushKept, plan];
  }
  if (record.kind === 'apply') return [pushKept, apply, recordApplied];
  return [pushKept, destroy, recordApplied];
}
