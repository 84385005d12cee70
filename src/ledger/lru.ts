/** The last `max` values by key: a value not used for longest is dropped first. */
export class Lru<K, V> {
  readonly #values = new Map<K, V>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** The value for `key`, made (and kept) when it is not there. */
  get(key: K, make: () => V): V {
    let value = this.#values.get(key);
    if (value === undefined) {
      value = make();
      if (this.#values.size >= this.#max) this.#values.delete(this.#values.keys().next().value as K);
    } else {
      // Map keeps insertion order: re-inserting marks it the most recently used.
      this.#values.delete(key);
    }
    this.#values.set(key, value);
    return value;
  }
}
