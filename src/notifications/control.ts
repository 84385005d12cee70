import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * D24's notification `control`: upper-case hex HMAC-SHA256 of `"Be4" + external_id + "Bo7"`, keyed with the API
 * Signature key. It covers only `external_id` and has no timestamp, so a valid one proves who sent it once, never
 * what the cashout's status is now: the service treats a notification as a hint and asks D24's Status endpoint.
 */
export function controlString(externalId: string, secretKey: string): string {
  return createHmac('sha256', secretKey).update(`Be4${externalId}Bo7`, 'utf8').digest('hex').toUpperCase();
}

/** The notification's control string does not match its external_id (or is missing). Never carries either. */
export class InvalidControlError extends Error {
  override readonly name = 'InvalidControlError';
  readonly code = 'INVALID_CONTROL';

  constructor() {
    super('Notification control string does not match');
  }
}

const HEX_64 = /^[0-9A-Fa-f]{64}$/;

/**
 * Checks `control` against `externalId` in constant time (stripe-node's Webhooks style); throws
 * InvalidControlError. Lower-case hex is accepted too: the digest is the same, D24's docs only say "upper case".
 */
export function verifyControl(
  fields: { externalId: string; control: string | undefined | null },
  secretKey: string,
): void {
  const { control } = fields;
  if (typeof control !== 'string' || !HEX_64.test(control)) throw new InvalidControlError();
  const expected = Buffer.from(controlString(fields.externalId, secretKey), 'latin1');
  const given = Buffer.from(control.toUpperCase(), 'latin1');
  if (!timingSafeEqual(expected, given)) throw new InvalidControlError();
}

/** The seven fields D24 posts, as form field names. */
export const NOTIFICATION_FIELDS = [
  'date',
  'bank_reference_id',
  'comments',
  'external_id',
  'control',
  'cashout_id',
  'status_reason',
] as const;

export interface NotificationFields {
  date: string;
  bank_reference_id: string;
  comments: string;
  external_id: string;
  control: string;
  cashout_id: string;
  status_reason: string;
}

/**
 * A complete, validly signed notification body (`application/x-www-form-urlencoded`), as D24 would post it: what
 * the sandbox sends, and the helper tests use so that none ever computes a control string by hand.
 */
export function notificationBody(
  fields: Partial<Omit<NotificationFields, 'control' | 'cashout_id'>> & {
    external_id: string;
    cashout_id: string | number;
  },
  secretKey: string,
): string {
  const full: NotificationFields = {
    date: fields.date ?? d24Date(new Date()),
    bank_reference_id: fields.bank_reference_id ?? '',
    comments: fields.comments ?? '',
    external_id: fields.external_id,
    control: controlString(fields.external_id, secretKey),
    cashout_id: String(fields.cashout_id),
    status_reason: fields.status_reason ?? '',
  };
  return new URLSearchParams(full as unknown as Record<string, string>).toString();
}

/** D24's date format, `YYYY-MM-DD HH:mm:ss` (UTC here). */
export function d24Date(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}
