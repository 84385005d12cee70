import type { Ledger } from '../ledger/types.js';

/** Whether event id `a` comes after `b` (ids are bigints as decimal strings, increasing in commit order). */
export function idAfter(a: string, b: string): boolean {
  return BigInt(a) > BigInt(b);
}

/** A well-formed event id: what `after` must look like before the ledger is asked whether it exists. */
export const EVENT_ID = /^[1-9][0-9]{0,18}$/;

/**
 * The newest committed event's id (null: none yet): the ledger's `lastEventId` where it has one, else found with
 * `eventsAfter(x, { limit: 1 })` ("is there an event after x?"): a gallop then a bisection, about 2·log2(id) reads.
 */
export async function latestEventId(
  ledger: Ledger & { lastEventId?: () => Promise<string | null> },
): Promise<string | null> {
  if (ledger.lastEventId) return ledger.lastEventId();
  const next = async (after: bigint) => (await ledger.eventsAfter(after.toString(), { limit: 1 }))[0]?.id;
  const first = (await ledger.eventsAfter(null, { limit: 1 }))[0]?.id;
  if (first === undefined) return null;
  let low = BigInt(first);
  let high = low * 2n + 1n;
  for (let beyond = await next(high); beyond !== undefined; beyond = await next(high)) {
    low = BigInt(beyond);
    high = low * 2n + 1n;
  }
  // Invariant: `low` is an event's id, and no event has an id above `high`.
  while (low < high) {
    const middle = (low + high + 1n) / 2n;
    const after = await next(middle - 1n);
    if (after === undefined) high = middle - 1n;
    else low = BigInt(after);
  }
  return low.toString();
}
