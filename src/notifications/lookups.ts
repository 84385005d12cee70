import type { CashoutState } from '../d24/answer.js';
import type { CallContext, D24Client } from '../d24/client.js';
import { CashoutNotFoundError } from '../d24/errors.js';

interface Queued<T> {
  task: () => Promise<T>;
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

interface Lane<T> {
  running: boolean;
  /** Waiting look-ups by variant, oldest first: callers asking for the same variant share one. */
  queued: Map<string, Queued<T>>;
}

/**
 * At most one look-up per key (a cashout) in flight, and every caller gets the result of one that started after
 * it asked (a look-up already in flight may have been answered before the change the caller heard of). Callers
 * that ask while one is in flight share the next one: any number of notifications for a cashout cost at most two
 * Status calls at a time, one running and one waiting. `variant` separates look-ups of one key that are not
 * interchangeable (a notification's external id, checked by D24 together with the cashout id).
 */
export class CoalescedLookups<T> {
  readonly #lanes = new Map<string, Lane<T>>();

  run(key: string, variant: string, task: () => Promise<T>): Promise<T> {
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { running: false, queued: new Map() };
      this.#lanes.set(key, lane);
    }
    const waiting = lane.queued.get(variant);
    if (waiting) return waiting.promise;
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    lane.queued.set(variant, { task, promise, resolve, reject });
    if (!lane.running) void this.#drain(key, lane);
    return promise;
  }

  /** Keys with a look-up running or waiting (a bounded map: a key leaves once its lane is empty). */
  get size(): number {
    return this.#lanes.size;
  }

  async #drain(key: string, lane: Lane<T>): Promise<void> {
    lane.running = true;
    for (let next = first(lane.queued); next; next = first(lane.queued)) {
      const [variant, queued] = next;
      lane.queued.delete(variant);
      try {
        queued.resolve(await queued.task());
      } catch (error) {
        queued.reject(error);
      }
    }
    lane.running = false;
    this.#lanes.delete(key);
  }
}

function first<K, V>(map: Map<K, V>): [K, V] | undefined {
  return map.entries().next().value;
}

/**
 * D24 Status look-ups for notifications and the reconciler, coalesced per cashout. Null: D24 knows no such
 * cashout (or not with that external id: D24 checks both, which binds a notification's cashout_id to the external_id
 * its control string covers). D24's other failures are thrown (CashoutError subclasses).
 */
export class StatusLookups {
  readonly #lookups = new CoalescedLookups<CashoutState | null>();

  constructor(private readonly d24: Pick<D24Client, 'getCashoutStatus'>) {}

  get(cashoutId: number, externalId?: string, context?: CallContext): Promise<CashoutState | null> {
    return this.#lookups.run(String(cashoutId), externalId ?? '', async () => {
      try {
        return await this.d24.getCashoutStatus(
          externalId === undefined ? { cashoutId } : { cashoutId, externalId },
          context,
        );
      } catch (error) {
        if (error instanceof CashoutNotFoundError) return null;
        throw error;
      }
    });
  }

  /** Cashouts with a look-up running or waiting. */
  get inFlight(): number {
    return this.#lookups.size;
  }
}
