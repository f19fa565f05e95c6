/** Serializes async tasks that share a key; tasks with different keys run concurrently. */
export interface KeyedMutex {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export function createKeyedMutex(): KeyedMutex {
  const tails = new Map<string, Promise<void>>();
  return {
    async run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      let release = () => {};
      const done = new Promise<void>((resolve) => {
        release = resolve;
      });
      const tail = previous.then(() => done);
      tails.set(key, tail);
      await previous;
      try {
        return await task();
      } finally {
        release();
        // The last task out removes the entry, so the map only holds keys with work queued.
        if (tails.get(key) === tail) tails.delete(key);
      }
    },
  };
}
