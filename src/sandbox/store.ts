import type { CashoutStatus } from '../d24/wire.js';
import type { Rejection, SandboxCashout } from './types.js';

const FIRST_ID = 100_000;
const DEFAULT_REJECTION: Rejection = { code: 808, reason: 'ERROR_OTHER' };
const AT_BANK: ReadonlySet<CashoutStatus> = new Set<CashoutStatus>(['DELIVERED', 'COMPLETED', 'REJECTED']);
const ADVANCES: Partial<Record<CashoutStatus, readonly CashoutStatus[]>> = {
  PENDING: ['DELIVERED'],
  DELIVERED: ['COMPLETED', 'REJECTED'],
  COMPLETED: ['REJECTED'],
};

const SEEDS: SandboxCashout[] = [
  { cashoutId: 1001, externalId: 'seed-pending-1001', status: 'PENDING' },
  { cashoutId: 1002, externalId: 'seed-pending-1002', status: 'PENDING' },
  { cashoutId: 1003, externalId: 'seed-pending-1003', status: 'PENDING' },
  { cashoutId: 1004, externalId: 'seed-on-hold-1004', status: 'ON_HOLD' },
  { cashoutId: 1005, externalId: 'seed-on-hold-1005', status: 'ON_HOLD' },
  { cashoutId: 1006, externalId: 'seed-delivered-1006', status: 'DELIVERED', bankReferenceId: 'BR-1006' },
  { cashoutId: 1007, externalId: 'seed-completed-1007', status: 'COMPLETED', bankReferenceId: 'BR-1007' },
  {
    cashoutId: 1008,
    externalId: 'seed-rejected-1008',
    status: 'REJECTED',
    bankReferenceId: 'BR-1008',
    rejection: Object.freeze({ code: 800, reason: 'ERROR_ACCOUNT_INCORRECT' }),
  },
  { cashoutId: 1009, externalId: 'seed-cancelled-1009', status: 'CANCELLED' },
];

/** The cashouts the sandbox starts with (seed: true), one or more in every status. */
export const SEEDED_CASHOUTS: readonly Readonly<SandboxCashout>[] = Object.freeze(
  SEEDS.map((cashout) => Object.freeze(cashout)),
);

/** A detached copy, so callers never hold the store's records. */
export function copyCashout(cashout: Readonly<SandboxCashout>): SandboxCashout {
  const copy: SandboxCashout = {
    cashoutId: cashout.cashoutId,
    externalId: cashout.externalId,
    status: cashout.status,
  };
  if (cashout.rejection) copy.rejection = { ...cashout.rejection };
  if (cashout.bankReferenceId !== undefined) copy.bankReferenceId = cashout.bankReferenceId;
  return copy;
}

/** In-memory cashouts keyed by D24 id and by merchant external id, moved only along D24's state machine. */
export class CashoutStore {
  readonly #byId = new Map<number, SandboxCashout>();
  readonly #byExternalId = new Map<string, SandboxCashout>();
  // What D24 may still move on its own: every created cashout, and a seeded one once someone touched it.
  readonly #active = new Set<number>();
  #nextId = FIRST_ID;

  constructor(seed: boolean) {
    if (seed) for (const cashout of SEEDED_CASHOUTS) this.#insert(copyCashout(cashout));
  }

  /** The id the next created cashout will get. */
  get nextId(): number {
    return this.#nextId;
  }

  /** The live record (not a copy): for the sandbox's own request handling. */
  lookup(cashoutId: number): Readonly<SandboxCashout> | undefined {
    return this.#byId.get(cashoutId);
  }

  lookupByExternalId(externalId: string): Readonly<SandboxCashout> | undefined {
    return this.#byExternalId.get(externalId);
  }

  /** The live records D24 may still move on its own (see CashoutLife). */
  *active(): Iterable<Readonly<SandboxCashout>> {
    for (const id of this.#active) {
      const cashout = this.#byId.get(id);
      if (cashout) yield cashout;
    }
  }

  retire(cashoutId: number): void {
    this.#active.delete(cashoutId);
  }

  /** Create a cashout; throws if the external id is taken or a rejection is given for a non-rejected one. */
  create(init: { externalId?: string; status?: CashoutStatus; rejection?: Rejection } = {}): SandboxCashout {
    const cashoutId = this.#nextId;
    const externalId = init.externalId ?? `ext-${cashoutId}`;
    const status = init.status ?? 'PENDING';
    if (this.#byExternalId.has(externalId)) throw new Error(`External ID already used: ${externalId}`);
    if (init.rejection && status !== 'REJECTED')
      throw new Error('A rejection applies only to a REJECTED cashout');
    const cashout: SandboxCashout = { cashoutId, externalId, status };
    if (status === 'REJECTED') cashout.rejection = { ...(init.rejection ?? DEFAULT_REJECTION) };
    if (AT_BANK.has(status)) cashout.bankReferenceId = `BR-${cashoutId}`;
    this.#nextId++;
    this.#insert(cashout);
    this.#active.add(cashoutId);
    return copyCashout(cashout);
  }

  /** Set a status the caller has already checked is a legal merchant move (hold, release, cancel). */
  setStatus(cashoutId: number, status: CashoutStatus): void {
    const cashout = this.#byId.get(cashoutId);
    if (!cashout) return;
    cashout.status = status;
    this.#active.add(cashoutId);
  }

  /** D24's own moves (bank delivery, completion, rejection); throws on any other. */
  advance(cashoutId: number, to: CashoutStatus, rejection?: Rejection): SandboxCashout {
    const cashout = this.#byId.get(cashoutId);
    if (!cashout) throw new Error(`No cashout ${cashoutId}`);
    if (!ADVANCES[cashout.status]?.includes(to)) {
      throw new Error(`Cashout ${cashoutId} cannot move from ${cashout.status} to ${String(to)}`);
    }
    cashout.status = to;
    this.#active.add(cashoutId);
    cashout.bankReferenceId ??= `BR-${cashoutId}`;
    if (to === 'REJECTED') cashout.rejection = { ...(rejection ?? DEFAULT_REJECTION) };
    return copyCashout(cashout);
  }

  #insert(cashout: SandboxCashout): void {
    this.#byId.set(cashout.cashoutId, cashout);
    this.#byExternalId.set(cashout.externalId, cashout);
  }
}
