import type { Rejection, SandboxCashout } from './types.js';

/** Rejections a bank gives (docs/d24.md's list), drawn for the sandbox's own rejections; 826 is kept for reversals. */
const REJECTIONS: readonly Rejection[] = [
  { code: 800, reason: 'ERROR_ACCOUNT_INCORRECT' },
  { code: 808, reason: 'ERROR_OTHER' },
  { code: 809, reason: 'WITHDRAWAL_EXPIRED' },
  { code: 810, reason: 'LIMIT_EXCEEDED' },
  { code: 811, reason: 'RISK_POLICY' },
  { code: 824, reason: 'REJECTED_BY_THIRD_PARTY_CONTROL' },
];
const REVERSAL: Rejection = { code: 826, reason: 'WITHDRAWAL_REVERSED' };
const REJECTED_SHARE = 0.2;
const REVERSED_SHARE = 0.05;

/** mulberry32: a small seeded PRNG, so that a seed replays the same life. Uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface LifeDeps {
  /** Cashouts D24 may still move on its own (the store's active set). */
  active(): Iterable<Readonly<SandboxCashout>>;
  /** Takes a cashout out of the active set: nothing more will happen to it by itself. */
  retire(cashoutId: number): void;
  create(): SandboxCashout;
  /** D24's own move, with its notification. */
  move(cashoutId: number, to: 'DELIVERED' | 'COMPLETED' | 'REJECTED', rejection?: Rejection): SandboxCashout;
  random: () => number;
}

/**
 * D24 moving cashouts on its own: each active cashout waits one or two ticks, then moves PENDING -> DELIVERED ->
 * COMPLETED (80%) or REJECTED (20%, a drawn bank rejection); a few COMPLETED ones are reversed a tick or two later.
 * A cashout on hold waits; a cancelled or final one retires.
 */
export class CashoutLife {
  readonly #waits = new Map<number, number>();
  readonly #reversals = new Set<number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: LifeDeps) {}

  tick(options: { create?: boolean } = {}): SandboxCashout[] {
    const changed: SandboxCashout[] = [];
    for (const cashout of [...this.deps.active()]) {
      const moved = this.#step(cashout);
      if (moved) changed.push(moved);
    }
    if (options.create !== false) {
      const created = this.deps.create();
      this.#waits.set(created.cashoutId, this.#drawWait());
      changed.push(created);
    }
    return changed;
  }

  start(intervalMs: number): void {
    if (!(intervalMs > 0)) throw new RangeError('intervalMs must be positive');
    this.stop();
    this.tick();
    this.#timer = setInterval(() => this.tick(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #step(cashout: Readonly<SandboxCashout>): SandboxCashout | undefined {
    const { cashoutId, status } = cashout;
    const final = status === 'CANCELLED' || status === 'REJECTED';
    if (final || (status === 'COMPLETED' && !this.#reversals.has(cashoutId))) {
      this.#forget(cashoutId);
      return undefined;
    }
    if (status === 'ON_HOLD') return undefined; // an operator's hold: D24 waits for the release
    const wait = (this.#waits.get(cashoutId) ?? this.#drawWait()) - 1;
    if (wait > 0) {
      this.#waits.set(cashoutId, wait);
      return undefined;
    }
    this.#waits.set(cashoutId, this.#drawWait());
    const { random } = this.deps;
    if (status === 'PENDING') return this.deps.move(cashoutId, 'DELIVERED');
    if (status === 'COMPLETED') {
      this.#forget(cashoutId);
      return this.deps.move(cashoutId, 'REJECTED', REVERSAL);
    }
    if (random() < REJECTED_SHARE) {
      const rejection = REJECTIONS[Math.floor(random() * REJECTIONS.length)] as Rejection;
      return this.deps.move(cashoutId, 'REJECTED', rejection);
    }
    if (random() < REVERSED_SHARE) this.#reversals.add(cashoutId);
    return this.deps.move(cashoutId, 'COMPLETED');
  }

  #drawWait(): number {
    return 1 + Math.floor(this.deps.random() * 2);
  }

  #forget(cashoutId: number): void {
    this.#waits.delete(cashoutId);
    this.#reversals.delete(cashoutId);
    this.deps.retire(cashoutId);
  }
}
