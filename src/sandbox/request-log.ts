import type { ReceivedRequest } from './types.js';

/** A fixed-size ring buffer of received requests (or notification attempts): O(1) per entry, oldest dropped first. */
export class RequestLog<T = ReceivedRequest> {
  readonly #slots: (T | undefined)[];
  #start = 0;
  #count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`requestLogSize must be a non-negative integer, got ${capacity}`);
    }
    this.#slots = new Array<T | undefined>(capacity);
  }

  push(request: T): void {
    if (this.capacity === 0) return;
    this.#slots[(this.#start + this.#count) % this.capacity] = request;
    if (this.#count < this.capacity) this.#count++;
    else this.#start = (this.#start + 1) % this.capacity;
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#count; i++) {
      const request = this.#slots[(this.#start + i) % this.capacity];
      if (request) out.push(request);
    }
    return out;
  }

  clear(): void {
    this.#slots.fill(undefined);
    this.#start = 0;
    this.#count = 0;
  }
}
