import type { CashoutRow, EventRow } from './rows.js';
import { type NewLedgerEvent, OBSERVATIONS } from './types.js';

/** What one event does to the ledger: the row to insert, and the cashout's state after it (if known). */
export interface Applied {
  event: EventRow;
  cashout: CashoutRow | null;
}

/**
 * Applies `event` (id `id`, written at `at`) to what the ledger knew of its cashout. Pure: the writer calls it in
 * commit order inside its transaction. Null for an observation that shows nothing new (it is not written).
 */
export function applyEvent(
  known: CashoutRow | null,
  event: NewLedgerEvent,
  id: string,
  at: string,
): Applied | null {
  const snap = event.cashout;
  if (OBSERVATIONS.has(event.action)) {
    if (!snap) return null;
    const same =
      known !== null &&
      known.status_code === snap.statusCode &&
      (known.rejection_code ?? null) === (snap.rejection?.code ?? null);
    if (same) return null;
  }
  const statusChanged = snap !== null && (known === null || known.status_code !== snap.statusCode);
  const changed = event.changed ?? statusChanged;
  const row: EventRow = {
    id,
    cashout_id: event.cashoutId,
    at,
    action: event.action,
    actor: event.actor,
    reason: event.reason,
    result_type: event.resultType,
    outcome: event.outcome,
    d24_code: event.d24Code,
    changed: changed ? 1 : 0,
    previous_status_code: known?.status_code ?? null,
    status_code: snap?.statusCode ?? null,
    status_description: snap?.statusDescription ?? null,
    external_id: snap?.externalId ?? null,
    rejection_code: snap?.rejection?.code ?? null,
    rejection_reason: snap?.rejection?.reason ?? null,
    request_id: event.requestId,
  };
  if (!snap) return { event: row, cashout: known && { ...known, last_event_id: id } };
  const stillHeld = known?.status === 'ON_HOLD' && snap.status === 'ON_HOLD' && known.hold_since;
  // A hold this service made names its actor and reason; one found already in place was made outside it.
  const heldHere = event.action === 'HOLD' && changed;
  const hold =
    snap.status !== 'ON_HOLD'
      ? { hold_by: null, hold_reason: null, hold_since: null }
      : stillHeld && !heldHere
        ? {
            hold_by: known.hold_by ?? null,
            hold_reason: known.hold_reason ?? null,
            hold_since: known.hold_since,
          }
        : {
            hold_by: heldHere ? event.actor : null,
            hold_reason: heldHere ? event.reason : null,
            hold_since: at,
          };
  return {
    event: row,
    cashout: {
      cashout_id: event.cashoutId,
      external_id: snap.externalId ?? known?.external_id ?? null,
      status: snap.status,
      status_code: snap.statusCode,
      status_description: snap.statusDescription,
      rejection_code: snap.rejection?.code ?? null,
      rejection_reason: snap.rejection?.reason ?? null,
      ...hold,
      updated_at: statusChanged || !known ? at : known.updated_at,
      last_event_id: id,
      checked_at: known?.checked_at ?? null,
    },
  };
}
