import type { CashoutState } from '../d24/answer.js';
import type { OperationOutcome } from '../d24/errors.js';
import type { CashoutStatus } from '../d24/wire.js';

/** What an event records: an operator's mutation, or an observation of D24's state. */
export const CASHOUT_ACTIONS = ['HOLD', 'RELEASE', 'CANCEL', 'LOOKUP', 'NOTIFICATION', 'RECONCILE'] as const;
export type CashoutAction = (typeof CASHOUT_ACTIONS)[number];

/** Actions that only observe D24: written only when they show a status the ledger did not have. */
export const OBSERVATIONS: ReadonlySet<CashoutAction> = new Set(['LOOKUP', 'NOTIFICATION', 'RECONCILE']);

/** A cashout as D24 reported it (the same shape the GraphQL `Cashout` resolves from). */
export type CashoutSnapshot = CashoutState;

/** An event to record. `cashoutId` is D24's id as a decimal string. */
export interface NewLedgerEvent {
  cashoutId: string;
  action: CashoutAction;
  /** The token's `sub` for operator actions; null for NOTIFICATION and RECONCILE. */
  actor: string | null;
  reason: string | null;
  /** The union member the caller got, e.g. `HoldCashoutSuccess`; `Cashout` for observations. */
  resultType: string;
  /** Set for `D24UnavailableError`. */
  outcome: OperationOutcome | null;
  d24Code: number | null;
  /** The cashout as known right after the action; null when unknown (e.g. outcome UNKNOWN, not found). */
  cashout: CashoutSnapshot | null;
  requestId: string | null;
  /**
   * For a mutation's success: D24's `changed` (false for a safe replay). When absent, `changed` is computed from
   * the status the ledger knew before.
   */
  changed?: boolean;
}

/** A committed event. */
export interface LedgerEvent extends NewLedgerEvent {
  /** A bigint as a decimal string, increasing in commit order (also across replicas on PostgreSQL). */
  id: string;
  /** RFC 3339 in UTC with milliseconds: when the event was written. */
  at: string;
  /** Whether the cashout's status changed with this event (true when the ledger did not know it before). */
  changed: boolean;
  /** D24's status code as the ledger knew it before this event; null: unknown. */
  previousStatusCode: number | null;
}

/** Who put a cashout on hold, why and since when; `by` is null when it was held outside this service. */
export interface CashoutHold {
  by: string | null;
  reason: string | null;
  since: string;
}

/** What the ledger knows of one cashout: its last known status (with rejection) and current hold. */
export interface LedgerCashout extends CashoutSnapshot {
  cashoutId: string;
  status: CashoutStatus;
  /** Set while the last known status is ON_HOLD. */
  hold: CashoutHold | null;
  /** When the ledger last saw the status change (RFC 3339, UTC, ms). */
  updatedAt: string;
  /** The id of the last event about this cashout. */
  lastEventId: string;
  /** When the reconciler last checked it at D24; null: never. */
  checkedAt: string | null;
}

/** One page of a keyset-paginated listing; `endCursor` is what `after` takes for the next page. */
export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** Who and what for an observation (`observe`). */
export interface ObservationMeta {
  action: Extract<CashoutAction, 'LOOKUP' | 'NOTIFICATION' | 'RECONCILE'>;
  actor: string | null;
  requestId: string | null;
}

export type LedgerStatus = 'up' | 'down';

/** Called after each commit with that commit's events, in commit (id) order. */
export type CommitListener = (events: readonly LedgerEvent[]) => void;

/**
 * The cashout ledger. Writes are group-committed: concurrent `record` calls share one transaction. When the
 * database is unreachable, events wait in a bounded buffer and are written when it is back; `record` then resolves
 * at once (null), so an action never waits on the ledger being down. Reads throw `LedgerUnavailableError` then.
 */
export interface Ledger {
  /** 'down' after a failed write or read until a write succeeds again; /ready reports `ledger-unavailable`. */
  readonly status: LedgerStatus;
  /** How many events wait to be written (buffered while down, or queued for the next group commit). */
  readonly waiting: number;
  /**
   * Records an event; resolves with the committed event, or null when it was buffered (ledger down) or, for an
   * observation, when it showed nothing new. Never rejects.
   */
  record(event: NewLedgerEvent): Promise<LedgerEvent | null>;
  /** Records an observation (LOOKUP, NOTIFICATION, RECONCILE) only when the status is new or changed. */
  observe(
    snapshot: CashoutSnapshot & { cashoutId: string },
    meta: ObservationMeta,
  ): Promise<LedgerEvent | null>;
  /** The ledger's last known state of a cashout, or null when it knows none. */
  cashout(cashoutId: string): Promise<LedgerCashout | null>;
  /** A cashout's events, newest first; `after` is an event id (a previous page's `endCursor`). */
  history(cashoutId: string, page: { first: number; after?: string | null }): Promise<Page<LedgerEvent>>;
  /** Known cashouts, most recently changed first; `after` is a previous page's opaque `endCursor`. */
  list(query: {
    statuses?: readonly CashoutStatus[] | null;
    first: number;
    after?: string | null;
  }): Promise<Page<LedgerCashout>>;
  /** Events committed after `afterId` (null: from the first), oldest first: a subscription's replay. */
  eventsAfter(
    afterId: string | null,
    options: { cashoutIds?: readonly string[] | null; limit: number },
  ): Promise<LedgerEvent[]>;
  hasEvent(id: string): Promise<boolean>;
  /** Subscribes to commits (every replica sees only its own commits here); returns the unsubscribe function. */
  onCommitted(listener: CommitListener): () => void;
  /**
   * Cashouts the reconciler should re-check: PENDING, ON_HOLD, DELIVERED, and COMPLETED changed within
   * `completedWithinMs` (default 30 days) of `now`; least recently checked (never checked first) first.
   */
  cashoutsToReconcile(options: {
    limit: number;
    now?: Date;
    completedWithinMs?: number;
  }): Promise<LedgerCashout[]>;
  /** Notes that the reconciler checked these cashouts at `at` (default now). */
  markChecked(cashoutIds: readonly string[], at?: Date): Promise<void>;
  /** Writes what waits (for up to `graceMs`, default 5000; what is left is logged as dropped) and closes. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** The ledger's database is unreachable; GraphQL answers a top-level `LEDGER_UNAVAILABLE`. */
export class LedgerUnavailableError extends Error {
  override readonly name = 'LedgerUnavailableError';
  readonly code = 'LEDGER_UNAVAILABLE';

  constructor(detail?: string) {
    super('The cashout ledger is unavailable; try again shortly.');
    if (detail) this.cause = detail;
  }
}
