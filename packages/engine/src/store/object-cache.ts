import type { StoredObject } from './s3-store.js';

/** What a write started with `ObjectCache.writing` is told when it ends: the object now in S3, or none. */
export type WriteEnd = (written: StoredObject | undefined) => void;

interface Writes {
  count: number;
  /** Two writes of the key overlapped: which one S3 kept is unknown, so neither is kept. */
  overlapped: boolean;
}

/**
 * The objects of chosen keys, as this process last read or wrote them, for a store it is the only writer of
 * (one SpawnIt process, its index in memory): a target's configuration is read before every run and a saved
 * plan's file and record at its apply, each a round trip to S3 the process can answer itself. Only the
 * process's own writes and deletes change an entry; a read is kept only if no write of a kept kind ran while
 * it was in flight. At most `maxBytes` of bodies, the least recently used going first; an object larger than a
 * quarter of that is never kept.
 */
export class ObjectCache {
  readonly #entries = new Map<string, StoredObject>();
  /** Writes in flight, by key. */
  readonly #writes = new Map<string, Writes>();
  /** Moves at the start and the end of every write: a read that saw it move keeps nothing. */
  #clock = 0;
  #bytes = 0;

  constructor(
    readonly cacheable: (key: string) => boolean,
    readonly maxBytes = 32 * 1024 * 1024,
  ) {}

  /** The object as last seen, or undefined when it is not kept (ask S3). */
  get(key: string): StoredObject | undefined {
    const hit = this.#entries.get(key);
    if (!hit) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, hit);
    return { ...hit, metadata: { ...hit.metadata } };
  }

  /** Before a read from S3: the returned function keeps what it found, unless a write of the key ran since. */
  reading(key: string): (found: StoredObject | undefined) => void {
    if (!this.cacheable(key)) return () => undefined;
    const clock = this.#clock;
    return (found) => {
      if (found && this.#clock === clock && !this.#writes.has(key)) this.#keep(key, found);
    };
  }

  /** Before a write or delete: the entry goes now; the returned function keeps what the write left. */
  writing(key: string): WriteEnd {
    if (!this.cacheable(key)) return () => undefined;
    const writes = this.#writes.get(key) ?? { count: 0, overlapped: false };
    this.#writes.set(key, writes);
    if (writes.count > 0) writes.overlapped = true;
    writes.count += 1;
    this.#clock += 1;
    this.#drop(key);
    return (written) => {
      writes.count -= 1;
      this.#clock += 1;
      this.#drop(key);
      if (writes.count > 0) return;
      this.#writes.delete(key);
      if (written && !writes.overlapped) this.#keep(key, written);
    };
  }

  /** Forgets every key under a prefix (a folder deleted whole). */
  dropPrefix(prefix: string): void {
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.#drop(key);
  }

  #keep(key: string, object: StoredObject): void {
    const size = object.body.length;
    if (size > this.maxBytes / 4) return;
    this.#drop(key);
    this.#entries.set(key, { ...object, metadata: { ...object.metadata } });
    this.#bytes += size;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.body.length;
    }
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.body.length;
  }
}
