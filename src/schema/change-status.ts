import type { StatusChange } from '../d24/client.js';
import {
  CashoutError,
  type CashoutNotFoundError,
  type D24RequestError,
  D24UnavailableError,
  type InvalidStatusTransitionError,
} from '../d24/errors.js';
import type { NewLedgerEvent } from '../ledger/index.js';
import type { Context } from './builder.js';

/** A status change an operator asks for, and the GraphQL success type each one answers with. */
export const CHANGES = {
  HOLD: { success: 'HoldCashoutSuccess' },
  RELEASE: { success: 'ReleaseCashoutSuccess' },
  CANCEL: { success: 'CancelCashoutSuccess' },
} as const;
export type ChangeAction = keyof typeof CHANGES;

/** One item's change: validated input (a cancel also needs the externalId). */
export type ChangeRequest = { cashoutId: number; reason: string | null } & (
  | { action: 'HOLD' | 'RELEASE' }
  | { action: 'CANCEL'; externalId: string }
);

/** What the caller gets: the success, or the typed error (a member of the same result union). */
export type ChangeResult =
  | StatusChange
  | CashoutNotFoundError
  | InvalidStatusTransitionError
  | D24RequestError
  | D24UnavailableError;

/**
 * The one way this service changes a cashout's status: call D24, build the typed result, record the ledger event
 * (group-committed; it never waits on a ledger that is down), return the result. The single mutations and every
 * item of a bulk one go through here, so their answers and events cannot drift apart.
 */
export async function changeStatus(context: Context, request: ChangeRequest): Promise<ChangeResult> {
  const call = { requestId: context.requestId };
  const { d24 } = context;
  let result: ChangeResult;
  try {
    const { cashoutId } = request;
    if (request.action === 'CANCEL')
      result = await d24.cancelCashout({ cashoutId, externalId: request.externalId }, call);
    else if (request.action === 'HOLD') result = await d24.holdCashout({ cashoutId }, call);
    else result = await d24.releaseCashout({ cashoutId }, call);
  } catch (error) {
    // Anything else is a defect: Yoga masks it, and no event claims an answer nobody got.
    if (!(error instanceof CashoutError)) throw error;
    // The D24 client throws only these (its contract); ValidationError never gets this far.
    result = error as Exclude<ChangeResult, StatusChange>;
  }
  await context.ledger.record(ledgerEvent(context, request, result));
  return result;
}

function ledgerEvent(context: Context, request: ChangeRequest, result: ChangeResult): NewLedgerEvent {
  const base = {
    cashoutId: String(request.cashoutId),
    action: request.action,
    actor: context.principal.subject,
    reason: request.reason,
    requestId: context.requestId,
  };
  if (!(result instanceof CashoutError)) {
    return {
      ...base,
      resultType: CHANGES[request.action].success,
      outcome: null,
      d24Code: null,
      cashout: result.cashout,
      changed: result.changed,
    };
  }
  const { code } = result as { code?: unknown };
  return {
    ...base,
    resultType: result.name,
    outcome: result instanceof D24UnavailableError ? result.outcome : null,
    d24Code: typeof code === 'number' ? code : null,
    cashout: null,
  };
}
