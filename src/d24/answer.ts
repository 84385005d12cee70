import {
  CashoutNotFoundError,
  D24RequestError,
  D24UnavailableError,
  InvalidStatusTransitionError,
  kindOfCode,
} from './errors.js';
import { type CashoutStatus, D24_CODES, statusFromCode } from './wire.js';

/** A cashout's state as D24 reported it, in this service's terms. */
export interface CashoutState {
  cashoutId: string | null;
  externalId: string | null;
  status: CashoutStatus;
  statusCode: number;
  statusDescription: string;
  rejection: { code: number; reason: string } | null;
}

/** What came back over the wire: the HTTP status and the body, already read (size-capped). */
export interface RawAnswer {
  httpStatus: number;
  body: string;
}

/** D24's error for `code`, whatever the HTTP status it came with. */
export function errorForCode(code: number, requestedStatus: CashoutStatus | null): Error {
  if (code === D24_CODES.CASHOUT_NOT_FOUND) return new CashoutNotFoundError(code);
  if (code === D24_CODES.INVALID_STATUS_TRANSITION && requestedStatus) {
    return new InvalidStatusTransitionError(requestedStatus, null, code);
  }
  return new D24RequestError(code, kindOfCode(code));
}

/**
 * The one mapping from a D24 answer to an outcome (docs/contract.md, "What each D24 answer becomes"):
 * returns the reported state, or throws the typed error. `requestedStatus` is the status a state-changing call asked
 * for (null for a look-up). Transport failures are mapped in transport.ts; the 510 look-up rule is in client.ts.
 */
export function interpretAnswer(
  answer: RawAnswer,
  ids: { cashoutId: string | null; externalId: string | null },
  requestedStatus: CashoutStatus | null,
): CashoutState {
  const body = parseObject(answer.body);
  if (body && isD24Code(body.code)) throw errorForCode(body.code, requestedStatus);
  const ok = answer.httpStatus >= 200 && answer.httpStatus < 300;
  if (!ok || !body) throw new D24UnavailableError('UNKNOWN', describeUnexpected(answer, body));
  // Every value below reaches a GraphQL type (Int, String, the status enum): checked here, or it is not D24's answer.
  const status = isD24Code(body.cashout_status) ? statusFromCode(body.cashout_status) : undefined;
  const description = body.cashout_status_description;
  if (!status || !isD24Text(description)) {
    throw new D24UnavailableError('UNKNOWN', describeUnexpected(answer, body));
  }
  const rejection = rejectionOf(body);
  if (rejection === undefined) {
    throw new D24UnavailableError('UNKNOWN', `HTTP ${answer.httpStatus} with a malformed rejection`);
  }
  if (requestedStatus && status !== requestedStatus) {
    // D24 answered 2xx but the cashout did not end where we asked (e.g. it was already DELIVERED).
    throw new InvalidStatusTransitionError(requestedStatus, status, D24_CODES.INVALID_STATUS_TRANSITION);
  }
  return {
    ...ids,
    status,
    statusCode: body.cashout_status as number,
    statusDescription: description,
    rejection,
  };
}

/** The rejection D24 reports (null: none, or only half of one), or undefined when a value of it is malformed. */
function rejectionOf(body: Record<string, unknown>): CashoutState['rejection'] | undefined {
  const { rejection_code: code, rejection_reason: reason } = body;
  if (code != null && !isD24Code(code)) return undefined;
  if (reason != null && !isD24Text(reason)) return undefined;
  return code != null && reason != null ? { code, reason: reason as string } : null;
}

// D24's texts are short labels ("Canceled", "ERROR_ACCOUNT_INCORRECT"); anything else is not one of its answers.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
function isD24Text(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= 200 &&
    value.isWellFormed() &&
    !CONTROL.test(value)
  );
}

// D24's codes are small integers; a number GraphQL's Int cannot carry is not one of D24's answers.
function isD24Code(code: unknown): code is number {
  return typeof code === 'number' && Number.isInteger(code) && Math.abs(code) <= 2 ** 31 - 1;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function describeUnexpected(answer: RawAnswer, body: Record<string, unknown> | null): string {
  return `HTTP ${answer.httpStatus} with ${body ? 'an unexpected JSON body' : 'a body that is not JSON'}`;
}
