import type { CashoutStatus } from './wire.js';

/** Whether a failed call may have changed the cashout at D24. */
export type OperationOutcome = 'NOT_APPLIED' | 'UNKNOWN';

export const D24_ERROR_KINDS = [
  'INVALID_PARAMS',
  'INVALID_SIGNATURE',
  'INVALID_CREDENTIALS',
  'UNREGISTERED_IP',
  'MALFORMED_REQUEST',
  'CANCEL_FAILED',
  'STATUS_NOT_SUPPORTED',
  'OTHER',
] as const;
export type D24ErrorKind = (typeof D24_ERROR_KINDS)[number];

/**
 * Base of every error this service means to show a client. Messages are our own words: never D24's text,
 * a socket message, a credential or a signature. `detail` is for logs only (e.g. `ECONNREFUSED`).
 */
export abstract class CashoutError extends Error {
  abstract override readonly name: string;
  readonly detail: string | undefined;

  constructor(message: string, detail?: string) {
    super(message);
    this.detail = detail;
  }
}

/** D24 code 509: no cashout with this id (or, on cancel, this id and external id together). */
export class CashoutNotFoundError extends CashoutError {
  override readonly name = 'CashoutNotFoundError';
  readonly code: number;

  constructor(code = 509) {
    super('D24 has no cashout with this id.');
    this.code = code;
  }
}

/** The cashout is not in a state from which the requested status can be reached (D24 code 510). */
export class InvalidStatusTransitionError extends CashoutError {
  override readonly name = 'InvalidStatusTransitionError';
  readonly code: number;
  readonly currentStatus: CashoutStatus | null;
  readonly requestedStatus: CashoutStatus;

  constructor(requestedStatus: CashoutStatus, currentStatus: CashoutStatus | null, code = 510) {
    super(
      currentStatus
        ? `The cashout is ${currentStatus} and cannot be moved to ${requestedStatus}.`
        : `The cashout cannot be moved to ${requestedStatus}; its current status could not be read.`,
    );
    this.code = code;
    this.currentStatus = currentStatus;
    this.requestedStatus = requestedStatus;
  }
}

const KIND_MESSAGES: Record<D24ErrorKind, string> = {
  INVALID_PARAMS: 'D24 rejected the request parameters.',
  INVALID_SIGNATURE: "D24 rejected the request's signature; check the service's API Signature key.",
  INVALID_CREDENTIALS: "D24 rejected the service's credentials.",
  UNREGISTERED_IP: "D24 does not accept calls from this service's IP address.",
  MALFORMED_REQUEST: 'D24 could not read the request body.',
  CANCEL_FAILED: 'D24 could not cancel the cashout.',
  STATUS_NOT_SUPPORTED: 'D24 does not support this status change for this cashout.',
  OTHER: 'D24 refused the request.',
};

/** D24 answered with an error code; nothing was changed. */
export class D24RequestError extends CashoutError {
  override readonly name = 'D24RequestError';
  readonly code: number;
  readonly kind: D24ErrorKind;

  constructor(code: number, kind: D24ErrorKind) {
    super(`${KIND_MESSAGES[kind]} (D24 code ${code})`);
    this.code = code;
    this.kind = kind;
  }
}

/** No usable answer from D24. `outcome` says whether the operation may have happened anyway. */
export class D24UnavailableError extends CashoutError {
  override readonly name = 'D24UnavailableError';
  readonly outcome: OperationOutcome;
  readonly retryable = true;

  constructor(outcome: OperationOutcome, detail: string) {
    super(
      outcome === 'NOT_APPLIED'
        ? 'D24 could not be reached; nothing was sent. It is safe to retry.'
        : 'D24 gave no usable answer; the operation may have happened. Retrying is safe: a replay reports changed: false.',
      detail,
    );
    this.outcome = outcome;
  }
}
