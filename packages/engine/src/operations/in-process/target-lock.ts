import type { Release, TargetLock } from '../ports.js';

interface Holder {
  preemptible: boolean;
  onPreempt: (() => void) | undefined;
}

interface Slot {
  holder: Holder | undefined;
  waiters: { resolve: () => void; holder: Holder }[];
}

/** The target lock of one process: a FIFO of waiters per target, in memory. */
export class TargetSlots implements TargetLock {
  readonly #slots = new Map<string, Slot>();

  #slot(key: string): Slot {
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = { holder: undefined, waiters: [] };
      this.#slots.set(key, slot);
    }
    return slot;
  }

  #release(key: string, holder: Holder): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const slot = this.#slots.get(key);
      if (!slot || slot.holder !== holder) return;
      const next = slot.waiters.shift();
      slot.holder = next?.holder;
      if (next) next.resolve();
      else this.#slots.delete(key);
    };
  }

  isBusy(key: string): boolean {
    const slot = this.#slots.get(key);
    return slot !== undefined && (slot.holder !== undefined || slot.waiters.length > 0);
  }

  queueLength(key: string): number {
    return this.#slots.get(key)?.waiters.length ?? 0;
  }

  async acquire(key: string, signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) throw signal.reason;
    const slot = this.#slot(key);
    const holder: Holder = { preemptible: false, onPreempt: undefined };
    if (!slot.holder) {
      slot.holder = holder;
      return this.#release(key, holder);
    }
    if (slot.holder.preemptible) slot.holder.onPreempt?.();
    await new Promise<void>((resolve, reject) => {
      const waiter = { resolve, holder };
      slot.waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const at = slot.waiters.indexOf(waiter);
          if (at >= 0) {
            slot.waiters.splice(at, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
    });
    return this.#release(key, holder);
  }

  tryAcquirePreemptible(key: string, onPreempt: () => void): Release | undefined {
    if (this.isBusy(key)) return undefined;
    const holder: Holder = { preemptible: true, onPreempt };
    this.#slot(key).holder = holder;
    return this.#release(key, holder);
  }
}
