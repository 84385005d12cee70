/** D24 Cashouts API v3 wire vocabulary, shared by the client and the sandbox. See docs/d24.md. */

/** Cashout statuses, indexed by D24's numeric code (0..5). */
export const CASHOUT_STATUSES = [
  'PENDING',
  'COMPLETED',
  'CANCELLED',
  'REJECTED',
  'DELIVERED',
  'ON_HOLD',
] as const;
export type CashoutStatus = (typeof CASHOUT_STATUSES)[number];

export function statusFromCode(code: number): CashoutStatus | undefined {
  return Number.isInteger(code) ? CASHOUT_STATUSES[code] : undefined;
}

export function codeOfStatus(status: CashoutStatus): number {
  return CASHOUT_STATUSES.indexOf(status);
}

/** The `status` values D24's Update Status endpoint accepts. */
export type UpdatableStatus = Extract<CashoutStatus, 'ON_HOLD' | 'PENDING'>;

export const D24_ENDPOINTS = {
  cancel: { method: 'DELETE', path: '/v3/cashout/cancel' },
  updateStatus: { method: 'PUT', path: '/v3/cashout/status' },
  status: { method: 'POST', path: '/v3/cashout/status' },
  create: { method: 'POST', path: '/v3/cashout' },
} as const;
export type D24EndpointName = keyof typeof D24_ENDPOINTS;

/** D24 API error codes this service distinguishes (the rest are kept as numbers). */
export const D24_CODES = {
  INVALID_PARAMS: 300,
  INVALID_SIGNATURE: 302,
  INVALID_CREDENTIALS: 401,
  UNREGISTERED_IP: 402,
  MALFORMED_REQUEST: 502,
  CASHOUT_NOT_FOUND: 509,
  INVALID_STATUS_TRANSITION: 510,
  EXTERNAL_ID_USED: 511,
  STATUS_NOT_SUPPORTED: 521,
  INVALID_CREDENTIALS_CONTACT: 524,
  CANCEL_FAILED: 702,
} as const;

/** A cashout's status as D24 reports it (Status, Update Status and Cancel answers). */
export interface D24StatusBody {
  cashout_status: number;
  cashout_status_description: string;
  rejection_code?: number;
  rejection_reason?: string;
  bank_reference_id?: string;
}

/** D24's error body, sent with 4xx/5xx (and, per the docs, sometimes with other statuses). */
export interface D24ErrorBody {
  code: number;
  message: string;
}
