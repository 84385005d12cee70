/**
 * A cache keyed by caller-chosen text (a GraphQL document), bounded both in entries and in the characters of its
 * keys, so that neither many documents nor large ones can make it grow: the oldest entry goes first. `get` keeps
 * insertion order (no bookkeeping on the hot path's every hit); `touch` moves an entry to the back.
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, V>();
  #chars = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxChars: number,
  ) {}

  get(key: string): V | undefined {
    return this.#entries.get(key);
  }

  /** `get`, counting the entry as most recently used (an LRU, for Yoga's parse cache). */
  touch(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    if (key.length > this.maxChars) return;
    if (this.#entries.delete(key)) this.#chars -= key.length;
    this.#entries.set(key, value);
    this.#chars += key.length;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries && this.#chars <= this.maxChars) break;
      this.#entries.delete(oldest);
      this.#chars -= oldest.length;
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The characters of all keys held. */
  get chars(): number {
    return this.#chars;
  }
}

/** The shape Yoga's parse and validation cache takes (`parserAndValidationCache`), least recently used out first. */
export function yogaCache<V>(
  maxEntries: number,
  maxChars: number,
): { get(key: string): V | undefined; set(key: string, value: V): void; readonly size: number } {
  const cache = new BoundedCache<V>(maxEntries, maxChars);
  return {
    get: (key) => cache.touch(key),
    set: (key, value) => cache.set(key, value),
    get size() {
      return cache.size;
    },
  };
}
