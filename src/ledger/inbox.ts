import type { Kysely } from 'kysely';
import type { Database } from './db.js';

// The SQL of the notification inbox and of leases (migration 0002), one small function per query.

type Time = string | Date;

export interface NotificationInboxTable {
  dedupe_key: string;
  cashout_id: string;
  external_id: string;
  d24_date: string;
  bank_reference_id: string;
  comments: string;
  status_reason: string;
  received_at: Time;
  processed_at: Time | null;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: Time;
}

// A type alias, not an interface: Kysely's withTables wants an index signature.
export type InboxTables = {
  notification_inbox: NotificationInboxTable;
  leases: LeasesTable;
};

/** The ledger's database with the inbox's tables (times are written as RFC 3339 text on both dialects). */
export type InboxDb = Kysely<Database & InboxTables>;

export function withInboxTables(db: Kysely<Database>): InboxDb {
  return db.withTables<InboxTables>();
}

export interface InboxRow {
  dedupeKey: string;
  cashoutId: string;
  externalId: string;
}

/** Inserts the notification unless its key is there already; true when it is new. */
export async function insertNotification(
  db: InboxDb,
  row: Omit<NotificationInboxTable, 'processed_at'>,
): Promise<boolean> {
  const result = await db
    .insertInto('notification_inbox')
    .values({ ...row, processed_at: null })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Unprocessed notifications received before `before`, oldest first. */
export async function unprocessedNotifications(
  db: InboxDb,
  before: string,
  limit: number,
): Promise<InboxRow[]> {
  const rows = await db
    .selectFrom('notification_inbox')
    .select(['dedupe_key', 'cashout_id', 'external_id'])
    .where('processed_at', 'is', null)
    .where('received_at', '<=', before)
    .orderBy('received_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ dedupeKey: r.dedupe_key, cashoutId: r.cashout_id, externalId: r.external_id }));
}

export async function markNotificationsProcessed(
  db: InboxDb,
  keys: readonly string[],
  at: string,
): Promise<void> {
  if (keys.length === 0) return;
  await db
    .updateTable('notification_inbox')
    .set({ processed_at: at })
    .where('dedupe_key', 'in', keys)
    .where('processed_at', 'is', null)
    .execute();
}

/** Forgets processed notifications received before `before` (a replay of one then costs one Status call). */
export async function pruneNotifications(db: InboxDb, before: string): Promise<number> {
  const result = await db
    .deleteFrom('notification_inbox')
    .where('processed_at', 'is not', null)
    .where('received_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Takes or renews the lease `name` until `expiresAt`: true when `holder` holds it (it was free, expired or its). */
export async function acquireLease(
  db: InboxDb,
  lease: { name: string; holder: string; now: string; expiresAt: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto('leases')
    .values({ name: lease.name, holder: lease.holder, expires_at: lease.expiresAt })
    .onConflict((oc) => oc.column('name').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return true;
  const updated = await db
    .updateTable('leases')
    .set({ holder: lease.holder, expires_at: lease.expiresAt })
    .where('name', '=', lease.name)
    .where((eb) => eb.or([eb('holder', '=', lease.holder), eb('expires_at', '<', lease.now)]))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

export async function releaseLease(db: InboxDb, name: string, holder: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
}
