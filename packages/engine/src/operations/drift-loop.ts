import { availableParallelism } from 'node:os';
import type { Engine } from '../engine.js';
import type { TargetRef } from '../store/keys.js';
import { targetKeyOf } from '../store/keys.js';
import type { DockerEventWatch } from './docker-events.js';
import { checkDrift } from './drift-check.js';
import { type DriftTriggerStats, watchDriftEvents } from './drift-trigger.js';
import type { Operations } from './operations.js';

export interface DriftLoopOptions {
  engine: Engine;
  operations: Operations;
  /** Local folder of states kept after a failed save (the operations' one). @default the engine's dataDir */
  dataDir?: string;
  /** Time between two passes. @default 10_000 */
  intervalMs?: number;
  /** Drift plans running at once. @default the CPU count */
  concurrency?: number;
  /** Called when a pass or a plan fails unexpectedly (S3 down...), or Docker's event stream is lost. */
  onError?: (error: unknown) => void;
  /**
   * The Docker engine whose container events (died, removed, changed) trigger a check of just the service
   * they concern, whatever the interval; `false` watches none.
   * @default `engine.dockerHost`, the one tofu's docker provider reaches
   */
  dockerHost?: string | false;
  /** Wait after a container event before planning, so a burst (kill, die, stop) makes one plan. @default 200 */
  eventSettleMs?: number;
  /**
   * Spread each periodic pass's plans over the interval instead of starting them all at once.
   * @default true
   */
  spread?: boolean;
}

export interface DriftStats extends DriftTriggerStats {
  /** Plans that ran to a status. */
  planned: number;
  /** Plans interrupted because a user's job wanted the service. */
  preempted: number;
  /** Services passed over in a pass because a job held them or their previous drift plan was not done. */
  skipped: number;
  passes: number;
  /** From the Docker event to the status it led to, for the last event-driven check (ms). */
  lastEventCheckMs: number | undefined;
}

/** How late drift checks are, wherever they run: what `system { driftLag }` reads. */
export interface DriftLag {
  /**
   * How far behind its promise drift checking is: the time since the oldest deployed service's check was due
   * (ms), 0 when every service was checked within the interval.
   */
  lag(): number | Promise<number>;
  /** The promised interval between two checks of a deployed service (ms). */
  readonly intervalMs: number;
}

export interface DriftLoop extends DriftLag {
  start(): void;
  /** Stops scheduling, interrupts running drift plans and waits for them. */
  stop(): Promise<void>;
  /** One pass now: finds deployed services and plans each not busy; resolves when all its plans are done. */
  runOnce(): Promise<void>;
  lag(): number;
  readonly stats: DriftStats;
}

type ServiceTarget = Extract<TargetRef, { kind: 'service' }>;

/** Every deployed service of every client, from the listing index (no S3 read). */
export async function deployedServices(engine: Engine): Promise<ServiceTarget[]> {
  const refs: ServiceTarget[] = [];
  for (const clientId of await engine.index.clients()) {
    for (const entry of await engine.index.listServices(clientId)) {
      refs.push({ kind: 'service', clientId, serviceId: entry.serviceId });
    }
  }
  const deployed = await engine.index.deployed(refs);
  return refs.filter((_, i) => deployed[i]);
}

interface Queued {
  ref: ServiceTarget;
  /** Not started before this time (ms since the epoch): how a pass spreads over the interval. */
  notBefore: number;
  /** Asked for by a Docker event: ahead of the sweep. */
  urgent: boolean;
}

/**
 * Plans every deployed service periodically to find changes made outside SpawnIt, and at once the service
 * of a container Docker reports died, removed or changed. Never two plans of one service at once and never
 * a plan beside a user's job; at most `concurrency` plans at a time. Once started, each service is due again
 * one interval after its check started; each pass adds the services not waiting or running (new ones, ones a
 * job held). The backlog never exceeds one plan per service, and `lag()` says how late the oldest check is.
 */
export function createDriftLoop(options: DriftLoopOptions): DriftLoop {
  const { engine, operations } = options;
  const intervalMs = options.intervalMs ?? 10_000;
  const checkDeps = {
    engine,
    dataDir: options.dataDir ?? engine.dataDir,
    recordStatus: operations.recordStatus,
  };
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const settleMs = options.eventSettleMs ?? 200;
  const spread = options.spread ?? true;
  const dockerHost = options.dockerHost === false ? false : options.dockerHost || engine.dockerHost;
  const queue: Queued[] = [];
  const pending = new Set<string>();
  const inFlight = new Map<string, AbortController>();
  /** Services a Docker event touched while their plan ran: that plan may have read too early. */
  const recheck = new Set<string>();
  /** The first Docker event not yet answered by a status, per service (ms since the epoch). */
  const eventAt = new Map<string, number>();
  /** When each deployed service's last check started (ms since the epoch): what `lag()` reads. */
  const checkedAt = new Map<string, number>();
  let active = 0;
  const waiters: (() => void)[] = [];
  const stats: DriftStats = {
    planned: 0,
    preempted: 0,
    skipped: 0,
    passes: 0,
    eventChecks: 0,
    ignoredEvents: 0,
    eventsAskedElsewhere: 0,
    lastEventCheckMs: undefined,
  };
  let timer: NodeJS.Timeout | undefined;
  let wakeTimer: NodeJS.Timeout | undefined;
  let watch: DockerEventWatch | undefined;
  let stopped = true;

  const settleIfIdle = () => {
    if (queue.length === 0 && active === 0) for (const wake of waiters.splice(0)) wake();
  };

  async function planOne(ref: ServiceTarget, key: string): Promise<void> {
    const controller = new AbortController();
    const release = operations.lock.tryAcquirePreemptible(key, () => controller.abort());
    if (!release) {
      stats.skipped++;
      return;
    }
    inFlight.set(key, controller);
    const startedAt = Date.now();
    checkedAt.set(key, startedAt);
    try {
      const outcome = await checkDrift(checkDeps, ref, controller.signal, () => {
        stats.planned++;
        const since = eventAt.get(key);
        // Before the status is recorded, so whoever sees the status also sees this figure.
        if (since !== undefined && !recheck.has(key)) {
          eventAt.delete(key);
          stats.lastEventCheckMs = Date.now() - since;
        }
      });
      if (outcome === 'preempted') stats.preempted++;
    } catch (error) {
      options.onError?.(error);
    } finally {
      inFlight.delete(key);
      release();
      if (recheck.delete(key) && !stopped) enqueue(ref, 0, true);
      // Due again one interval after this check started, whatever the passes do: a service a pass found still
      // waiting or running was otherwise left for the pass after, up to two intervals later. A service the
      // last pass no longer listed (destroyed, deleted) is not.
      else if (!stopped && checkedAt.has(key)) enqueue(ref, startedAt + intervalMs);
    }
  }

  function enqueue(ref: ServiceTarget, notBefore: number, first = false): void {
    const key = targetKeyOf(ref);
    if (first && pending.has(key)) {
      // Already waiting for the sweep: move it to the front.
      const at = queue.findIndex((q) => targetKeyOf(q.ref) === key);
      if (at >= 0) queue.splice(at, 1);
      pending.delete(key);
    }
    if (pending.has(key)) return;
    pending.add(key);
    queue.push({ ref, notBefore, urgent: first });
    pump();
  }

  /**
   * The next entry due: an event's first, then the service whose last check is oldest. When the sweep cannot
   * keep up, this shares the delay evenly (each waits about one sweep) instead of first in, first out, which let
   * a service checked early in a pass wait for the next pass and a whole backlog behind it.
   */
  function nextDue(now: number): number {
    let best = -1;
    for (let i = 0; i < queue.length; i++) {
      const entry = queue[i]!;
      if (entry.notBefore > now) continue;
      if (entry.urgent) return i;
      if (best < 0 || lastCheck(entry) < lastCheck(queue[best]!)) best = i;
    }
    return best;
  }
  const lastCheck = (entry: Queued) => checkedAt.get(targetKeyOf(entry.ref)) ?? 0;

  function pump(): void {
    clearTimeout(wakeTimer);
    const now = Date.now();
    while (active < concurrency) {
      const at = nextDue(now);
      if (at < 0) break;
      const [{ ref }] = queue.splice(at, 1) as [Queued];
      const key = targetKeyOf(ref);
      pending.delete(key);
      active++;
      void planOne(ref, key).finally(() => {
        active--;
        pump();
      });
    }
    if (active < concurrency && queue.length > 0 && !stopped) {
      const soonest = Math.min(...queue.map((entry) => entry.notBefore));
      wakeTimer = setTimeout(pump, Math.max(0, soonest - now));
      wakeTimer.unref?.();
    }
    settleIfIdle();
  }

  async function pass(spreadOver: number): Promise<void> {
    stats.passes++;
    let services: ServiceTarget[];
    try {
      services = await deployedServices(engine);
    } catch (error) {
      options.onError?.(error);
      return;
    }
    const now = Date.now();
    const listed = new Set<string>();
    const due: ServiceTarget[] = [];
    for (const ref of services) {
      const key = targetKeyOf(ref);
      listed.add(key);
      if (!checkedAt.has(key)) checkedAt.set(key, now);
      if (pending.has(key) || inFlight.has(key)) {
        stats.skipped++;
        continue;
      }
      if (operations.lock.isBusy(key)) {
        // A user's job holds it: that job finds its status.
        checkedAt.set(key, now);
        stats.skipped++;
        continue;
      }
      due.push(ref);
    }
    for (const key of checkedAt.keys()) if (!listed.has(key)) checkedAt.delete(key);
    // Checks waiting for services no longer deployed go.
    for (let i = queue.length - 1; i >= 0; i--) {
      const key = targetKeyOf(queue[i]!.ref);
      if (!listed.has(key) && !queue[i]!.urgent) {
        queue.splice(i, 1);
        pending.delete(key);
      }
    }
    const step = due.length > 0 ? spreadOver / due.length : 0;
    due.forEach((ref, i) => {
      pending.add(targetKeyOf(ref));
      queue.push({ ref, notBefore: now + Math.floor(i * step), urgent: false });
    });
    pump();
  }

  /** A check asked by a Docker event: at the front of the queue, or once more after the plan running now. */
  function requestEventCheck(ref: ServiceTarget, seenAt: number): void {
    if (stopped) return;
    const key = targetKeyOf(ref);
    if (!eventAt.has(key)) eventAt.set(key, seenAt);
    if (inFlight.has(key)) recheck.add(key);
    else enqueue(ref, 0, true);
  }

  function schedule(startedAt: number): void {
    if (stopped) return;
    // Fixed rate: each pass starts one interval after the previous one started.
    const next = startedAt + intervalMs;
    timer = setTimeout(
      async () => {
        await pass(spread ? intervalMs : 0);
        schedule(next);
      },
      Math.max(0, next - Date.now()),
    );
    timer.unref?.();
  }

  return {
    stats,
    start() {
      if (!stopped) return;
      stopped = false;
      if (dockerHost !== false) {
        watch = watchDriftEvents({
          dockerHost,
          settleMs,
          // Its own drift plan holds the service too: an event then asks for one more check after it.
          heldByJob: (ref) => {
            const key = targetKeyOf(ref);
            return operations.lock.isBusy(key) && !inFlight.has(key);
          },
          deployed: async (ref) => (await engine.index.deployed([ref]))[0] ?? false,
          request: (ref, { eventAt }) => {
            requestEventCheck(ref, eventAt);
            return true;
          },
          stats,
          onError: (error) => options.onError?.(error),
        });
      }
      const startedAt = Date.now();
      void pass(spread ? intervalMs : 0).then(() => schedule(startedAt));
    },
    async stop() {
      stopped = true;
      watch?.stop();
      watch = undefined;
      clearTimeout(timer);
      clearTimeout(wakeTimer);
      queue.length = 0;
      pending.clear();
      recheck.clear();
      for (const controller of inFlight.values()) controller.abort();
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        settleIfIdle();
      });
    },
    async runOnce() {
      await pass(0);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        settleIfIdle();
      });
    },
    intervalMs,
    lag() {
      // A plan still running counts from its start: one that outlasts the interval breaks the promise too.
      let oldest = Number.POSITIVE_INFINITY;
      for (const at of checkedAt.values()) if (at < oldest) oldest = at;
      return oldest === Number.POSITIVE_INFINITY ? 0 : Math.max(0, Date.now() - oldest - intervalMs);
    },
  };
}
