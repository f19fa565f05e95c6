import { EventEmitter } from 'node:events';
import type { EngineEvents } from '../events.js';
import type { EventBus, EventName, Unsubscribe } from '../ports.js';

/** The event bus of one process: listeners are called synchronously, in the order events are published. */
export class InProcessEventBus implements EventBus {
  readonly #emitter = new EventEmitter<EngineEvents>();

  constructor() {
    // Every GraphQL subscription adds a listener.
    this.#emitter.setMaxListeners(0);
  }

  publish<E extends EventName>(event: E, ...args: EngineEvents[E]): void {
    (this.#emitter.emit as (event: E, ...args: EngineEvents[E]) => boolean)(event, ...args);
  }

  subscribe<E extends EventName>(event: E, listener: (...args: EngineEvents[E]) => void): Unsubscribe {
    const on = this.#emitter.on as (event: E, listener: (...args: EngineEvents[E]) => void) => unknown;
    const off = this.#emitter.off as (event: E, listener: (...args: EngineEvents[E]) => void) => unknown;
    on.call(this.#emitter, event, listener);
    return () => void off.call(this.#emitter, event, listener);
  }
}
