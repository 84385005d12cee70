import type { Generated } from 'kysely';

/** Which SQL database the ledger runs on; migrations use it where the two differ (types only). */
export type Dialect = 'sqlite' | 'postgres';

/**
 * The ledger's tables, as Kysely sees them. Times are RFC 3339 strings on SQLite and `timestamptz` on PostgreSQL
 * (read back as `Date`); booleans are 0/1 integers on both, as SQLite has no boolean to bind.
 */
export interface Database {
  cashout_events: CashoutEventsTable;
  cashouts: CashoutsTable;
}

type Time = string | Date;
/** bigint: a string from pg, a number from better-sqlite3. */
type BigId = string | number;

export interface CashoutEventsTable {
  /** Assigned by the writer under the ledger's write lock, so ids increase in commit order. */
  id: BigId;
  cashout_id: string;
  at: Time;
  action: string;
  actor: string | null;
  reason: string | null;
  result_type: string;
  outcome: string | null;
  d24_code: number | null;
  changed: number;
  previous_status_code: number | null;
  /** The cashout right after the event; all null when unknown. */
  status_code: number | null;
  status_description: string | null;
  external_id: string | null;
  rejection_code: number | null;
  rejection_reason: string | null;
  request_id: string | null;
}

export interface CashoutsTable {
  cashout_id: string;
  external_id: string | null;
  status: string;
  status_code: number;
  status_description: string;
  rejection_code: number | null;
  rejection_reason: string | null;
  hold_by: string | null;
  hold_reason: string | null;
  hold_since: Time | null;
  updated_at: Time;
  last_event_id: BigId;
  checked_at: Generated<Time | null>;
}
