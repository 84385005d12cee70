import type { LedgerCashout } from './types.js';

/** A cursor the caller sent that this ledger never made. */
export class BadCursorError extends Error {
  override readonly name = 'BadCursorError';
  constructor() {
    super('after is not a cursor this service gave out');
  }
}

const EVENT_ID = /^[1-9][0-9]{0,18}$/;

/** An event id (a history cursor) as given: a positive decimal bigint. */
export function parseEventId(id: string): string {
  if (!EVENT_ID.test(id) || BigInt(id) > 2n ** 63n - 1n) throw new BadCursorError();
  return id;
}

// A listing cursor is the last item's (updatedAt, cashoutId), opaque to callers.
export function encodeListCursor(cashout: LedgerCashout): string {
  return Buffer.from(JSON.stringify([cashout.updatedAt, cashout.cashoutId])).toString('base64url');
}

export function decodeListCursor(cursor: string): { updatedAt: string; cashoutId: string } {
  try {
    const [updatedAt, cashoutId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof updatedAt === 'string' &&
      !Number.isNaN(Date.parse(updatedAt)) &&
      typeof cashoutId === 'string' &&
      cashoutId.length <= 20
    ) {
      return { updatedAt: new Date(updatedAt).toISOString(), cashoutId };
    }
  } catch {
    // Falls through to the error below.
  }
  throw new BadCursorError();
}
