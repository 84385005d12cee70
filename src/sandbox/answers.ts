import type { CashoutStatus, D24ErrorBody, D24StatusBody } from '../d24/wire.js';
import { codeOfStatus, D24_CODES } from '../d24/wire.js';
import type { SandboxCashout } from './types.js';

/** What the sandbox would answer: an HTTP status and a JSON body. */
export interface Answer {
  status: number;
  body: D24StatusBody | D24ErrorBody | { cashout_id: string };
}

const DESCRIPTIONS: Record<CashoutStatus, string> = {
  PENDING: 'Pending',
  COMPLETED: 'Completed',
  CANCELLED: 'Canceled', // D24's spelling
  REJECTED: 'Rejected',
  DELIVERED: 'Delivered',
  ON_HOLD: 'On hold',
};

const MESSAGES: Readonly<Record<number, string>> = {
  404: 'Not found',
  [D24_CODES.INVALID_PARAMS]: 'Invalid params',
  [D24_CODES.INVALID_SIGNATURE]: 'Invalid control string',
  [D24_CODES.INVALID_CREDENTIALS]: 'Invalid credentials',
  [D24_CODES.UNREGISTERED_IP]: 'Unregistered IP address',
  [D24_CODES.MALFORMED_REQUEST]: 'Invalid request body',
  [D24_CODES.CASHOUT_NOT_FOUND]: 'Cashout not found with this ID',
  [D24_CODES.INVALID_STATUS_TRANSITION]: 'Invalid status transition',
  [D24_CODES.EXTERNAL_ID_USED]: 'External ID already used',
  [D24_CODES.STATUS_NOT_SUPPORTED]: 'Status not supported for this type of request',
  [D24_CODES.INVALID_CREDENTIALS_CONTACT]: 'Invalid Credentials',
  [D24_CODES.CANCEL_FAILED]: 'Could not cancel cashout',
};

/** D24's message for an error code ('Error' for codes the sandbox does not know). */
export function messageFor(code: number): string {
  return MESSAGES[code] ?? 'Error';
}

/** A D24 coded error answer. */
export function errorAnswer(status: number, code: number): Answer {
  return { status, body: { code, message: messageFor(code) } };
}

/** D24's 200 answer describing a cashout's status. */
export function statusAnswer(cashout: Readonly<SandboxCashout>): Answer {
  const body: D24StatusBody = {
    cashout_status: codeOfStatus(cashout.status),
    cashout_status_description: DESCRIPTIONS[cashout.status],
  };
  if (cashout.status === 'REJECTED' && cashout.rejection) {
    body.rejection_code = cashout.rejection.code;
    body.rejection_reason = cashout.rejection.reason;
  }
  // The store sets a bank reference only once a cashout has reached the bank.
  if (cashout.bankReferenceId !== undefined) body.bank_reference_id = cashout.bankReferenceId;
  return { status: 200, body };
}

export const NOT_FOUND_ROUTE = errorAnswer(404, 404);
export const BODY_TOO_LARGE = errorAnswer(413, D24_CODES.MALFORMED_REQUEST);
export const BAD_SIGNATURE = errorAnswer(401, D24_CODES.INVALID_SIGNATURE);
export const MALFORMED_BODY = errorAnswer(400, D24_CODES.MALFORMED_REQUEST);
export const BAD_CREDENTIALS = errorAnswer(401, D24_CODES.INVALID_CREDENTIALS);
export const INVALID_PARAMS = errorAnswer(400, D24_CODES.INVALID_PARAMS);
export const STATUS_NOT_SUPPORTED = errorAnswer(400, D24_CODES.STATUS_NOT_SUPPORTED);
export const CASHOUT_NOT_FOUND = errorAnswer(412, D24_CODES.CASHOUT_NOT_FOUND);
export const EXTERNAL_ID_USED = errorAnswer(400, D24_CODES.EXTERNAL_ID_USED);
