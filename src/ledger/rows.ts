import type { Insertable, Selectable } from 'kysely';
import type { OperationOutcome } from '../d24/errors.js';
import { type CashoutStatus, statusFromCode } from '../d24/wire.js';
import type { CashoutEventsTable, CashoutsTable } from './db.js';
import type { CashoutAction, CashoutSnapshot, LedgerCashout, LedgerEvent } from './types.js';

export type EventRow = Insertable<CashoutEventsTable>;
export type CashoutRow = Insertable<CashoutsTable>;

/** A time column as RFC 3339 (UTC, ms): pg reads `timestamptz` as a Date, SQLite keeps the text written. */
export function iso(value: string | Date): string {
  return typeof value === 'string' ? value : value.toISOString();
}

export function eventFromRow(row: Selectable<CashoutEventsTable>): LedgerEvent {
  const status = row.status_code === null ? undefined : statusFromCode(row.status_code);
  const cashout: CashoutSnapshot | null =
    status && row.status_description !== null
      ? {
          cashoutId: row.cashout_id,
          externalId: row.external_id,
          status,
          statusCode: row.status_code as number,
          statusDescription: row.status_description,
          rejection: rejectionOf(row),
        }
      : null;
  return {
    id: String(row.id),
    cashoutId: row.cashout_id,
    at: iso(row.at),
    action: row.action as CashoutAction,
    actor: row.actor,
    reason: row.reason,
    resultType: row.result_type,
    outcome: row.outcome as OperationOutcome | null,
    d24Code: row.d24_code,
    changed: row.changed === 1,
    previousStatusCode: row.previous_status_code,
    cashout,
    requestId: row.request_id,
  };
}

export function cashoutFromRow(row: Selectable<CashoutsTable> | CashoutRow): LedgerCashout {
  return {
    cashoutId: row.cashout_id,
    externalId: row.external_id ?? null,
    status: row.status as CashoutStatus,
    statusCode: row.status_code,
    statusDescription: row.status_description,
    rejection: rejectionOf(row),
    hold:
      row.status === 'ON_HOLD' && row.hold_since
        ? { by: row.hold_by ?? null, reason: row.hold_reason ?? null, since: iso(row.hold_since) }
        : null,
    updatedAt: iso(row.updated_at),
    lastEventId: String(row.last_event_id),
    checkedAt: row.checked_at ? iso(row.checked_at) : null,
  };
}

function rejectionOf(row: {
  rejection_code?: number | null;
  rejection_reason?: string | null;
}): CashoutSnapshot['rejection'] {
  return row.rejection_code != null && row.rejection_reason != null
    ? { code: row.rejection_code, reason: row.rejection_reason }
    : null;
}
