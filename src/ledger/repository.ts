import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { CashoutStatus } from '../d24/wire.js';
import type { CashoutsTable, Database, Dialect } from './db.js';
import type { CashoutRow, EventRow } from './rows.js';

// The SQL of the ledger, one small function per query; nothing outside src/ledger/ builds a query.

type Db = Kysely<Database> | Transaction<Database>;

// Any constant works; it only has to be the same for every replica's writer.
const WRITE_LOCK_KEY = 0x24_1ed9e7;

/**
 * Serializes event-writing transactions across replicas (PostgreSQL): taken first in each group commit and held
 * until it commits, so the ids the writer assigns (max + 1 …) increase in commit order. A bigserial would not do:
 * it is assigned at insert, so a transaction that inserts later but commits first would let a subscriber resuming
 * `after` an id skip the other's event. SQLite has one writer at a time by itself.
 */
export async function lockWrites(trx: Transaction<Database>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${WRITE_LOCK_KEY})`.execute(trx);
}

export async function lastEventId(db: Db): Promise<bigint> {
  const row = await db
    .selectFrom('cashout_events')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return row?.id == null ? 0n : BigInt(row.id);
}

export async function cashoutsByIds(db: Db, ids: readonly string[]): Promise<Selectable<CashoutsTable>[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('cashouts').selectAll().where('cashout_id', 'in', ids).execute();
}

export async function insertEvents(db: Db, rows: readonly EventRow[]): Promise<void> {
  if (rows.length) await db.insertInto('cashout_events').values(rows).execute();
}

/** Inserts or replaces each cashout's state; `checked_at` is the reconciler's and is left alone. */
export async function upsertCashouts(db: Db, rows: readonly CashoutRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('cashouts')
    .values(rows.map(({ checked_at: _, ...row }) => row))
    .onConflict((oc) =>
      oc.column('cashout_id').doUpdateSet((eb) => ({
        external_id: eb.ref('excluded.external_id'),
        status: eb.ref('excluded.status'),
        status_code: eb.ref('excluded.status_code'),
        status_description: eb.ref('excluded.status_description'),
        rejection_code: eb.ref('excluded.rejection_code'),
        rejection_reason: eb.ref('excluded.rejection_reason'),
        hold_by: eb.ref('excluded.hold_by'),
        hold_reason: eb.ref('excluded.hold_reason'),
        hold_since: eb.ref('excluded.hold_since'),
        updated_at: eb.ref('excluded.updated_at'),
        last_event_id: eb.ref('excluded.last_event_id'),
      })),
    )
    .execute();
}

export async function cashoutById(db: Db, id: string) {
  return db.selectFrom('cashouts').selectAll().where('cashout_id', '=', id).executeTakeFirst();
}

/** One cashout's events older than `beforeId` (or the newest), newest first. */
export async function eventsOfCashout(db: Db, cashoutId: string, beforeId: string | null, limit: number) {
  let query = db.selectFrom('cashout_events').selectAll().where('cashout_id', '=', cashoutId);
  if (beforeId !== null) query = query.where('id', '<', beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** Cashouts (in `statuses`, if given) changed before the cursor, most recently changed first. */
export async function cashoutsByChange(
  db: Db,
  statuses: readonly CashoutStatus[] | null,
  before: { updatedAt: string; cashoutId: string } | null,
  limit: number,
) {
  let query = db.selectFrom('cashouts').selectAll();
  if (statuses) query = query.where('status', 'in', statuses);
  if (before) {
    query = query.where((eb) =>
      eb.or([
        eb('updated_at', '<', before.updatedAt),
        eb.and([eb('updated_at', '=', before.updatedAt), eb('cashout_id', '<', before.cashoutId)]),
      ]),
    );
  }
  return query.orderBy('updated_at', 'desc').orderBy('cashout_id', 'desc').limit(limit).execute();
}

/** Events after `afterId`, oldest first, optionally of some cashouts only. */
export async function eventsSince(
  db: Db,
  afterId: string | null,
  cashoutIds: readonly string[] | null,
  limit: number,
) {
  let query = db.selectFrom('cashout_events').selectAll();
  if (afterId !== null) query = query.where('id', '>', afterId);
  if (cashoutIds) query = query.where('cashout_id', 'in', cashoutIds);
  return query.orderBy('id', 'asc').limit(limit).execute();
}

export async function eventExists(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom('cashout_events').select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

/** Non-final cashouts and COMPLETED ones changed since `completedSince`, never or least recently checked first. */
export async function cashoutsDueForCheck(db: Db, completedSince: string, limit: number) {
  return (
    db
      .selectFrom('cashouts')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('status', 'in', ['PENDING', 'ON_HOLD', 'DELIVERED']),
          eb.and([eb('status', '=', 'COMPLETED'), eb('updated_at', '>=', completedSince)]),
        ]),
      )
      // NULLs first on both databases (PostgreSQL puts them last by default).
      .orderBy(sql`checked_at is not null`)
      .orderBy('checked_at', 'asc')
      .orderBy('cashout_id', 'asc')
      .limit(limit)
      .execute()
  );
}

export async function setCheckedAt(db: Db, cashoutIds: readonly string[], at: string): Promise<void> {
  if (cashoutIds.length) {
    await db.updateTable('cashouts').set({ checked_at: at }).where('cashout_id', 'in', cashoutIds).execute();
  }
}

export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
