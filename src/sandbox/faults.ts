import type { Fault, SandboxFaults } from './types.js';

interface Armed<F> {
  fault: F;
  remaining: number;
}

const APPLIED_BY_DEFAULT: ReadonlySet<Fault['kind']> = new Set<Fault['kind']>([
  'delay',
  'slowBody',
  'malformed',
]);

/** Whether the requested state change happens before the fault plays out. */
export function applies(fault: Fault): boolean {
  return fault.apply ?? APPLIED_BY_DEFAULT.has(fault.kind);
}

function checkCount(name: string, value: number): void {
  if (!(value > 0) || (value !== Number.POSITIVE_INFINITY && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
}

/**
 * Armed faults: a FIFO queue for any request (or notification), and per-cashout faults that take precedence.
 * Generic so that API requests (Fault) and notifications (NotificationFault) are armed the same way.
 */
export class FaultBook<F = Fault> implements SandboxFaults<F> {
  #queue: Armed<F>[] = [];
  readonly #byCashout = new Map<number, Armed<F>>();

  next(fault: F, count = 1): void {
    checkCount('count', count);
    this.#queue.push({ fault, remaining: count });
  }

  /** Arming a cashout again replaces its previous fault. */
  forCashout(cashoutId: number, fault: F, times = Number.POSITIVE_INFINITY): void {
    checkCount('times', times);
    this.#byCashout.set(cashoutId, { fault, remaining: times });
  }

  clear(): void {
    this.#queue = [];
    this.#byCashout.clear();
  }

  /** The fault this request suffers, if any, consuming one use of it. */
  take(cashoutId: number | undefined): F | undefined {
    if (cashoutId !== undefined && this.#byCashout.size > 0) {
      const armed = this.#byCashout.get(cashoutId);
      if (armed) {
        if (--armed.remaining <= 0) this.#byCashout.delete(cashoutId);
        return armed.fault;
      }
    }
    const head = this.#queue[0];
    if (!head) return undefined;
    if (--head.remaining <= 0) this.#queue.shift();
    return head.fault;
  }
}
