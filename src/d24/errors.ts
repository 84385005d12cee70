import { type CashoutStatus, D24_CODES } from './wire.js';

/** Whether a failed call may have changed the cashout at D24. */
export type OperationOutcome = 'NOT_APPLIED' | 'UNKNOWN';

/**
 * Every way D24 can refuse a request, one record per kind: the codes that mean it, our message (what a client sees)
 * and the schema's description of the `D24ErrorKind` value. Adding a code or a kind is one edit here.
 */
export const D24_REFUSALS = [
  {
    kind: 'INVALID_PARAMS',
    codes: [D24_CODES.INVALID_PARAMS],
    message: 'D24 rejected the request parameters.',
    description: 'D24 code 300: D24 found the parameters invalid.',
  },
  {
    kind: 'INVALID_SIGNATURE',
    codes: [D24_CODES.INVALID_SIGNATURE],
    message: "D24 rejected the request's signature; check the service's API Signature key.",
    description:
      "D24 code 302: the Payload-Signature was refused (the service's API Signature key is wrong).",
  },
  {
    kind: 'INVALID_CREDENTIALS',
    codes: [D24_CODES.INVALID_CREDENTIALS, D24_CODES.INVALID_CREDENTIALS_CONTACT],
    message: "D24 rejected the service's credentials.",
    description: "D24 code 401 or 524: the service's D24 login or pass was refused.",
  },
  {
    kind: 'UNREGISTERED_IP',
    codes: [D24_CODES.UNREGISTERED_IP],
    message: "D24 does not accept calls from this service's IP address.",
    description: "D24 code 402: the service's IP address is not whitelisted at D24.",
  },
  {
    kind: 'MALFORMED_REQUEST',
    codes: [D24_CODES.MALFORMED_REQUEST],
    message: 'D24 could not read the request body.',
    description: 'D24 code 502: D24 could not read the request body.',
  },
  {
    kind: 'CANCEL_FAILED',
    codes: [D24_CODES.CANCEL_FAILED],
    message: 'D24 could not cancel the cashout.',
    description: 'D24 code 702: D24 could not cancel the cashout.',
  },
  {
    kind: 'STATUS_NOT_SUPPORTED',
    codes: [D24_CODES.STATUS_NOT_SUPPORTED],
    message: 'D24 does not support this status change for this cashout.',
    description: 'D24 code 521: this status change is not supported for this cashout.',
  },
  {
    kind: 'OTHER',
    codes: [],
    message: 'D24 refused the request.',
    description: 'Any other D24 code; see `code`.',
  },
] as const satisfies readonly {
  kind: string;
  codes: readonly number[];
  message: string;
  description: string;
}[];

export type D24ErrorKind = (typeof D24_REFUSALS)[number]['kind'];
export const D24_ERROR_KINDS: readonly D24ErrorKind[] = D24_REFUSALS.map((refusal) => refusal.kind);

const REFUSAL_OF_KIND = new Map<D24ErrorKind, (typeof D24_REFUSALS)[number]>(
  D24_REFUSALS.map((refusal) => [refusal.kind, refusal]),
);
const KIND_OF_CODE: ReadonlyMap<number, D24ErrorKind> = new Map(
  D24_REFUSALS.flatMap((refusal) =>
    refusal.codes.map((code): [number, D24ErrorKind] => [code, refusal.kind]),
  ),
);

/** The kind D24's `code` means ('OTHER' for a code no record names). */
export function kindOfCode(code: number): D24ErrorKind {
  return KIND_OF_CODE.get(code) ?? 'OTHER';
}

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

/** D24 answered with an error code; nothing was changed. */
export class D24RequestError extends CashoutError {
  override readonly name = 'D24RequestError';
  readonly code: number;
  readonly kind: D24ErrorKind;

  constructor(code: number, kind: D24ErrorKind) {
    super(`${REFUSAL_OF_KIND.get(kind)?.message} (D24 code ${code})`);
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
