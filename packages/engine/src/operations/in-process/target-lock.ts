interface Holder {
  preemptible: boolean;
  onPreempt: (() => void) | undefined;
}

interface Slot {
  holder: Holder | undefined;
  waiters: { resolve: () => void; holder: Holder }[];
}

export type Release = () => void;

/**
 * One run at a time per target (service or network), first come first served. A drift plan holds its slot
 * as preemptible: a user's run asking for the slot interrupts it rather than waiting for it.
 */
export class TargetSlots {
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

  /** True while a run holds the target or waits for it. */
  isBusy(key: string): boolean {
    const slot = this.#slots.get(key);
    return slot !== undefined && (slot.holder !== undefined || slot.waiters.length > 0);
  }

  /** How many runs wait for the target. */
  queueLength(key: string): number {
    return this.#slots.get(key)?.waiters.length ?? 0;
  }

  /** Waits for the target (in order of arrival), interrupting a drift plan that holds it. */
  async acquire(key: string, signal?: AbortSignal): Promise<Release> {
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

  /** Takes the target only when nobody holds or waits for it; `onPreempt` is called if a user run wants it. */
  tryAcquirePreemptible(key: string, onPreempt: () => void): Release | undefined {
    if (this.isBusy(key)) return undefined;
    const holder: Holder = { preemptible: true, onPreempt };
    this.#slot(key).holder = holder;
    return this.#release(key, holder);
  }
}
