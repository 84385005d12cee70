import { createHash } from 'node:crypto';
import { z } from 'zod';
import { cashoutIdSchema, externalIdSchema } from '../schema/validation.js';
import { NOTIFICATION_FIELDS } from './control.js';

/** A D24 notification as received: the fields it names, checked but not yet verified. */
export interface ReceivedNotification {
  cashoutId: number;
  externalId: string;
  control: string;
  date: string;
  bankReferenceId: string;
  comments: string;
  statusReason: string;
  /** The same for every retry of one notification (D24 resends the same fields), different for another one. */
  dedupeKey: string;
}

/** The body is not a D24 notification (400). Says which field, never a value. */
export class MalformedNotificationError extends Error {
  override readonly name = 'MalformedNotificationError';
  readonly code = 'MALFORMED_NOTIFICATION';
}

const MAX_FIELDS = 32;
const MAX_TEXT = 1_000;
const KNOWN = new Set<string>(NOTIFICATION_FIELDS);
const optionalText = z.string().max(MAX_TEXT).default('');
const formSchema = z.object({
  cashout_id: cashoutIdSchema,
  external_id: externalIdSchema,
  control: z.string().min(1).max(128),
  date: optionalText,
  bank_reference_id: optionalText,
  comments: optionalText,
  status_reason: optionalText,
});

/**
 * Parses a form body into a notification. Each of D24's fields may appear at most once: with two `external_id`s
 * the one whose control is checked and the one that is processed could differ. Unknown fields are ignored.
 */
export function parseNotification(body: string): ReceivedNotification {
  const form = new URLSearchParams(body);
  const fields: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of form) {
    if (++count > MAX_FIELDS) throw new MalformedNotificationError(`more than ${MAX_FIELDS} fields`);
    if (!KNOWN.has(name)) continue;
    if (name in fields) throw new MalformedNotificationError(`${name} appears more than once`);
    fields[name] = value;
  }
  const parsed = formSchema.safeParse(fields);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.')))];
    throw new MalformedNotificationError(`bad or missing ${names.join(', ')}`);
  }
  const f = parsed.data;
  const notification = {
    cashoutId: Number(f.cashout_id),
    externalId: f.external_id,
    control: f.control,
    date: f.date,
    bankReferenceId: f.bank_reference_id,
    comments: f.comments,
    statusReason: f.status_reason,
  };
  return { ...notification, dedupeKey: dedupeKeyOf(notification) };
}

function dedupeKeyOf(n: Omit<ReceivedNotification, 'dedupeKey' | 'control'>): string {
  const identity = [n.cashoutId, n.externalId, n.date, n.bankReferenceId, n.statusReason, n.comments];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}
