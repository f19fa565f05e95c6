import { availableParallelism } from 'node:os';
import type { Engine } from '../engine.js';
import { CLIENTS_PREFIX, type TargetRef } from '../store/keys.js';
import { type Operations, targetKeyOf } from './operations.js';

export interface DriftLoopOptions {
  engine: Engine;
  operations: Operations;
  /** Time between two passes. @default 10_000 */
  intervalMs?: number;
  /** Drift plans running at once. @default the CPU count */
  concurrency?: number;
  /** Called when a pass or a plan fails unexpectedly (S3 down...). */
  onError?: (error: unknown) => void;
}

export interface DriftStats {
  /** Plans that ran to a status. */
  planned: number;
  /** Plans interrupted because a user's job wanted the service. */
  preempted: number;
  /** Services passed over in a pass because a job held them or their previous drift plan was not done. */
  skipped: number;
  passes: number;
}

export interface DriftLoop {
  start(): void;
  /** Stops scheduling, interrupts running drift plans and waits for them. */
  stop(): Promise<void>;
  /** One pass now: finds deployed services and plans each not busy; resolves when all its plans are done. */
  runOnce(): Promise<void>;
  readonly stats: DriftStats;
}

type ServiceTarget = Extract<TargetRef, { kind: 'service' }>;

/** Every deployed service of every client. */
async function deployedServices(engine: Engine): Promise<ServiceTarget[]> {
  const out: ServiceTarget[] = [];
  for (const clientId of await engine.store.listFolders(CLIENTS_PREFIX)) {
    let ids: string[];
    try {
      ids = await engine.store.listFolders(`${CLIENTS_PREFIX}${clientId}/services/`);
    } catch {
      continue;
    }
    const checks = await Promise.all(
      ids.map(async (serviceId) => {
        const ref: ServiceTarget = { kind: 'service', clientId, serviceId };
        try {
          return (await engine.isDeployed(ref)) ? ref : undefined;
        } catch {
          // An id that fails validation (written by hand into the bucket) is not ours to plan.
          return undefined;
        }
      }),
    );
    out.push(...checks.filter((r): r is ServiceTarget => r !== undefined));
  }
  return out;
}

/**
 * Plans every deployed service periodically to find changes made outside SpawnIt. Never two plans of one
 * service at once and never a plan beside a user's job; at most `concurrency` plans at a time. When a pass
 * takes longer than the interval, the next pass only adds services that are not already waiting or
 * running: the backlog never exceeds one plan per service, and the busiest setups just see each service
 * planned less often than every interval.
 */
export function createDriftLoop(options: DriftLoopOptions): DriftLoop {
  const { engine, operations } = options;
  const intervalMs = options.intervalMs ?? 10_000;
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const queue: ServiceTarget[] = [];
  const pending = new Set<string>();
  const inFlight = new Map<string, AbortController>();
  let active = 0;
  const waiters: (() => void)[] = [];
  const stats: DriftStats = { planned: 0, preempted: 0, skipped: 0, passes: 0 };
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;

  const settleIfIdle = () => {
    if (queue.length === 0 && active === 0) for (const wake of waiters.splice(0)) wake();
  };

  async function planOne(ref: ServiceTarget, key: string): Promise<void> {
    const controller = new AbortController();
    const release = operations.slots.tryAcquirePreemptible(key, () => controller.abort());
    if (!release) {
      stats.skipped++;
      return;
    }
    inFlight.set(key, controller);
    try {
      const result = await engine.plan(ref, { save: false, signal: controller.signal });
      if (result.cancelled) {
        stats.preempted++;
        return;
      }
      stats.planned++;
      await operations.recordStatus(ref.clientId, ref.serviceId, {
        status: result.status,
        checkedAt: new Date().toISOString(),
        summary: result.summary,
        error: result.error,
        source: 'drift',
      });
    } catch (error) {
      options.onError?.(error);
    } finally {
      inFlight.delete(key);
      release();
    }
  }

  function pump(): void {
    while (active < concurrency && queue.length > 0) {
      const ref = queue.shift()!;
      const key = targetKeyOf(ref);
      pending.delete(key);
      active++;
      void planOne(ref, key).finally(() => {
        active--;
        pump();
      });
    }
    settleIfIdle();
  }

  async function pass(): Promise<void> {
    stats.passes++;
    let services: ServiceTarget[];
    try {
      services = await deployedServices(engine);
    } catch (error) {
      options.onError?.(error);
      return;
    }
    for (const ref of services) {
      const key = targetKeyOf(ref);
      if (pending.has(key) || inFlight.has(key) || operations.slots.isBusy(key)) {
        stats.skipped++;
        continue;
      }
      pending.add(key);
      queue.push(ref);
    }
    pump();
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(async () => {
      await pass();
      schedule();
    }, intervalMs);
    timer.unref?.();
  }

  return {
    stats,
    start() {
      if (!stopped) return;
      stopped = false;
      void pass().then(schedule);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      queue.length = 0;
      pending.clear();
      for (const controller of inFlight.values()) controller.abort();
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        settleIfIdle();
      });
    },
    async runOnce() {
      await pass();
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        settleIfIdle();
      });
    },
  };
}
