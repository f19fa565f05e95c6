import type { TargetRef } from '../store/keys.js';
import { targetKeyOf } from '../store/keys.js';
import { type ContainerEvent, type DockerEventWatch, watchDockerEvents } from './docker-events.js';

type ServiceTarget = Extract<TargetRef, { kind: 'service' }>;

/** What Docker events came to, counted by whoever watches. */
export interface DriftTriggerStats {
  /** Checks asked for by a Docker event. */
  eventChecks: number;
  /** Docker events that asked for nothing: a user's job held the service, or it is not deployed here. */
  ignoredEvents: number;
  /** Docker events another process had already asked a check for (every worker sees each event). */
  eventsAskedElsewhere: number;
}

export interface DriftTriggerOptions {
  /** `unix:///path` or `tcp://host:port`: the Docker engine tofu's docker provider reaches. */
  dockerHost: string;
  /** Wait after a container event before asking, so a burst (kill, die, stop) makes one check. @default 200 */
  settleMs?: number;
  /** Whether a user's job runs or waits for the service: the containers it replaces are its business. */
  heldByJob(ref: ServiceTarget): boolean | Promise<boolean>;
  /** Whether the service is deployed (events of a service deployed elsewhere ask for nothing). */
  deployed(ref: ServiceTarget): Promise<boolean>;
  /**
   * Asks for a check of the service now, to run after any check of it already running (one that started
   * before the event may have read too early). `eventAt` is when Docker saw the burst's first event (ms since
   * the epoch) and `eventNs` its exact time, the same for every process watching this Docker engine. Says
   * whether a check was asked: not when another process already asked for that event.
   */
  request(ref: ServiceTarget, event: { eventAt: number; eventNs: bigint }): boolean | Promise<boolean>;
  stats: DriftTriggerStats;
  /** A check that could not be asked, or Docker's event stream lost (drift falls back to the sweep). */
  onError(error: unknown): void;
}

/**
 * The drift check's Docker trigger, shared by the one-process loop and the workers: follows the engine's
 * container events and asks for a check of just the service a burst concerns, once it settled, unless a
 * user's job holds the service or it is not deployed. What "asking" means is the caller's: the loop's own
 * queue (with a recheck when a plan runs), or a keyed job in PostgreSQL.
 */
export function watchDriftEvents(options: DriftTriggerOptions): DockerEventWatch {
  const settleMs = options.settleMs ?? 200;
  const { stats } = options;
  /** Services waiting out `settleMs` after an event: later events of the burst ride along. */
  const settling = new Set<string>();
  let stopped = false;

  async function onEvent(event: ContainerEvent): Promise<void> {
    const ref: ServiceTarget = { kind: 'service', clientId: event.clientId, serviceId: event.serviceId };
    const key = targetKeyOf(ref);
    if (settling.has(key)) return;
    const eventAt = Number(event.timeNano / 1_000_000n) || Date.now();
    settling.add(key);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    settling.delete(key);
    if (stopped) return;
    try {
      if ((await options.heldByJob(ref)) || !(await options.deployed(ref))) {
        stats.ignoredEvents++;
        return;
      }
      if (await options.request(ref, { eventAt, eventNs: event.timeNano })) stats.eventChecks++;
      else stats.eventsAskedElsewhere++;
    } catch (error) {
      options.onError(error);
    }
  }

  const watch = watchDockerEvents({
    host: options.dockerHost,
    onEvent: (event) => void onEvent(event),
    onDisconnect: (error) =>
      options.onError(
        new Error(`${error.message}; drift falls back to the periodic check until it answers.`, {
          cause: error,
        }),
      ),
  });
  return {
    stop() {
      stopped = true;
      watch.stop();
    },
  };
}
