import type { CashoutStatus } from '../../src/d24/wire.js';
import type { Fault } from '../../src/sandbox/index.js';
import { type Field, TRANSITIONS, type TypedResult } from './operations.js';

/** What one request was up against: the cashout's status before, and what D24 (the sandbox) did. */
export interface Plan {
  cashoutId: number;
  externalId: string;
  initial: CashoutStatus;
  /** null: D24 answers normally; 'refused': nothing listens at D24's address. */
  fault: Fault | 'refused' | null;
}

const KINDS: Record<number, string> = {
  300: 'INVALID_PARAMS',
  302: 'INVALID_SIGNATURE',
  401: 'INVALID_CREDENTIALS',
  524: 'INVALID_CREDENTIALS',
  402: 'UNREGISTERED_IP',
  502: 'MALFORMED_REQUEST',
  702: 'CANCEL_FAILED',
  521: 'STATUS_NOT_SUPPORTED',
};

const SUCCESS: Record<Exclude<Field, 'cashout'>, string> = {
  holdCashout: 'HoldCashoutSuccess',
  releaseCashout: 'ReleaseCashoutSuccess',
  cancelCashout: 'CancelCashoutSuccess',
};

/**
 * The answer docs/contract.md's mapping table prescribes for this plan, as a partial object the result must match.
 * Written from the table, not from src/d24/answer.ts.
 */
export function expectedResult(field: Field, plan: Plan): Record<string, unknown> {
  const { fault, initial } = plan;
  const requested = field === 'cashout' ? null : TRANSITIONS[field].to;
  const success = (changed: boolean) =>
    field === 'cashout'
      ? { __typename: 'Cashout', cashoutId: String(plan.cashoutId), status: initial }
      : {
          __typename: SUCCESS[field],
          changed,
          cashout: { cashoutId: String(plan.cashoutId), status: requested },
        };
  if (fault === 'refused')
    return { __typename: 'D24UnavailableError', outcome: 'NOT_APPLIED', retryable: true };
  if (fault === null) {
    if (requested === null || initial === requested) return success(false);
    if (
      initial === TRANSITIONS[field as Exclude<Field, 'cashout'>].from ||
      (field === 'cancelCashout' && initial === 'ON_HOLD')
    ) {
      return success(true);
    }
    return { __typename: 'InvalidStatusTransitionError', currentStatus: initial, requestedStatus: requested };
  }
  // A "code" no GraphQL Int can carry is not an answer of D24's: no usable answer.
  if (fault.kind !== 'code' || Math.abs(fault.code) >= 2 ** 31) {
    return { __typename: 'D24UnavailableError', outcome: 'UNKNOWN', retryable: true };
  }
  const { code } = fault;
  if (code === 509) return { __typename: 'CashoutNotFoundError', code };
  if (code === 510 && requested !== null) {
    // One look-up (not faulted: the fault was armed for one request) finds the unchanged status.
    if (initial === requested) return success(false);
    return {
      __typename: 'InvalidStatusTransitionError',
      code,
      currentStatus: initial,
      requestedStatus: requested,
    };
  }
  return { __typename: 'D24RequestError', code, kind: KINDS[code] ?? 'OTHER' };
}

/**
 * Whether the answer told the truth about the cashout's state at the sandbox afterwards (null) or how it lied.
 * `changed: true` must have changed it; every error but UNKNOWN must have left it alone; UNKNOWN may go either way
 * unless the sandbox was told not to apply the change.
 */
export function stateLie(
  field: Field,
  plan: Plan,
  result: TypedResult,
  final: CashoutStatus | undefined,
): string | null {
  const requested = field === 'cashout' ? null : TRANSITIONS[field].to;
  const unchanged = final === plan.initial;
  const says = `${result.__typename}${'changed' in result ? ` changed:${result.changed}` : ''}${'outcome' in result ? ` ${result.outcome}` : ''}`;
  const lie = (what: string) =>
    `${says} but ${what} (cashout ${plan.cashoutId}: ${plan.initial} → ${final}, fault ${JSON.stringify(plan.fault)})`;
  if (requested === null) return unchanged ? null : lie('a look-up changed it');
  if (result.__typename.endsWith('Success')) {
    if (final !== requested) return lie(`it is not ${requested}`);
    if (result.changed === true && plan.initial === requested) return lie('it already was there');
    if (result.changed === false && !unchanged) return lie('it did change');
    return null;
  }
  if (result.__typename === 'D24UnavailableError' && result.outcome === 'UNKNOWN') {
    // No fault: the sandbox applies it. Every fault sets `apply` explicitly (the defaults differ by kind).
    const applied = plan.fault === null || (plan.fault !== 'refused' && plan.fault.apply === true);
    if (applied) return unchanged || final === requested ? null : lie('it moved elsewhere');
    return unchanged ? null : lie('the sandbox did not apply it, yet it changed');
  }
  return unchanged ? null : lie('it changed');
}
