// What the bulk mutations are, read where no schema is built (the rate limit, the audit): one home for their names
// and bounds. Items here are as the caller sent them, before validation.

/** Bulk field → the status change each item makes. */
export const BULK_FIELDS = {
  holdCashouts: 'HOLD',
  releaseCashouts: 'RELEASE',
  cancelCashouts: 'CANCEL',
} as const;
export type BulkField = keyof typeof BULK_FIELDS;

/** Items per bulk mutation (docs/contract.md). */
export const BULK_MAX_ITEMS = 100;
/** D24 calls one bulk request makes at a time at most. */
export const BULK_D24_CONCURRENCY = 8;

export interface SentItem {
  cashoutId: unknown;
  externalId?: unknown;
}

export function isBulkField(field: string): field is BulkField {
  return Object.hasOwn(BULK_FIELDS, field);
}

/** The items of a bulk field's `input`, as sent; null when `field` is not a bulk field or sent no list. */
export function sentItems(field: string, args: Record<string, unknown>): SentItem[] | null {
  if (!isBulkField(field)) return null;
  const input = args.input;
  if (!input || typeof input !== 'object') return null;
  const { cashoutIds, cashouts } = input as { cashoutIds?: unknown; cashouts?: unknown };
  const list = field === 'cancelCashouts' ? cashouts : cashoutIds;
  if (list === undefined || list === null) return null;
  // GraphQL takes a single value where a list is expected as a list of one.
  const items = Array.isArray(list) ? list : [list];
  return field === 'cancelCashouts'
    ? items.map((item) => {
        const { cashoutId, externalId } = (item ?? {}) as SentItem;
        return { cashoutId, externalId };
      })
    : items.map((cashoutId) => ({ cashoutId }));
}

/** What a bulk field costs against the rate limit: one per item (at most BULK_MAX_ITEMS), at least one. */
export function bulkCost(field: string, args: Record<string, unknown>): number {
  const items = sentItems(field, args);
  return items ? Math.min(Math.max(items.length, 1), BULK_MAX_ITEMS) : 1;
}
