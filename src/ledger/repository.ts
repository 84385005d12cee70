import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { CashoutStatus } from '../d24/wire.js';
import type { CashoutEventsTable, CashoutsTable, Database, Dialect } from './db.js';
import { flatten, precompiled, slotRows } from './precompiled.js';
import type { CashoutRow, EventRow } from './rows.js';

// The SQL of the ledger, one small function per query; nothing outside src/ledger/ builds a query. Over 200 lines
// because every query lives here, so the one place to read for what the ledger asks of SQLite and PostgreSQL.

type Db = Kysely<Database> | Transaction<Database>;

// Any constant works; it only has to be the same for every replica's writer.
const WRITE_LOCK_KEY = 0x24_1ed9e7;

/** Every column of an event row, in the order the insert binds them. */
const EVENT_COLUMNS = columns<CashoutEventsTable>({
  id: 1,
  cashout_id: 1,
  at: 1,
  action: 1,
  actor: 1,
  reason: 1,
  result_type: 1,
  outcome: 1,
  d24_code: 1,
  changed: 1,
  previous_status_code: 1,
  status_code: 1,
  status_description: 1,
  external_id: 1,
  rejection_code: 1,
  rejection_reason: 1,
  request_id: 1,
});

/** A cashout's state as the writer upserts it: every column but the reconciler's `checked_at`. */
const STATE_COLUMNS = columns<Omit<CashoutsTable, 'checked_at'>>({
  cashout_id: 1,
  external_id: 1,
  status: 1,
  status_code: 1,
  status_description: 1,
  rejection_code: 1,
  rejection_reason: 1,
  hold_by: 1,
  hold_reason: 1,
  hold_since: 1,
  updated_at: 1,
  last_event_id: 1,
});

/** The keys of `all`, which the type checker holds to exactly the table's columns. */
function columns<T>(all: Record<keyof T & string, 1>): (keyof T & string)[] {
  return Object.keys(all) as (keyof T & string)[];
}

// The group commit's statements, compiled once per shape (see precompiled.ts); the reads below are built per call.

const lockQuery = precompiled((db, _: 'lock', slot) =>
  sql`select pg_advisory_xact_lock(${slot(0)})`.compile(db),
);

/**
 * Serializes event-writing transactions across replicas (PostgreSQL): taken first in each group commit and held
 * until it commits, so the ids the writer assigns (max + 1 …) increase in commit order. A bigserial would not do:
 * it is assigned at insert, so a transaction that inserts later but commits first would let a subscriber resuming
 * `after` an id skip the other's event. SQLite has one writer at a time by itself.
 */
export async function lockWrites(trx: Transaction<Database>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') await lockQuery(trx, dialect, 'lock', [WRITE_LOCK_KEY]);
}

// One statement for both: the one-row max(id), left-joined to the cashouts asked for (none found: one row of nulls).
const lastIdAndCashoutsQuery = precompiled((db, count: number, slot) =>
  db
    .selectFrom(
      db
        .selectFrom('cashout_events')
        .select((eb) => eb.fn.max('id').as('last_id'))
        .as('last'),
    )
    .leftJoin('cashouts', (join) =>
      join.on(
        'cashouts.cashout_id',
        'in',
        Array.from({ length: count }, (_, i) => slot(i)),
      ),
    )
    .selectAll('cashouts')
    .select('last.last_id')
    .compile(),
);

/** The last event id written (0 when none), and the state of those of `ids` (at least one) the ledger knows. */
export async function lastIdAndCashouts(
  db: Transaction<Database>,
  dialect: Dialect,
  ids: readonly string[],
): Promise<{ lastId: bigint; cashouts: Selectable<CashoutsTable>[] }> {
  const { rows } = await lastIdAndCashoutsQuery(db, dialect, ids.length, ids);
  const lastId = rows[0]?.last_id;
  const cashouts = rows.flatMap(({ last_id: _, ...row }) =>
    row.cashout_id === null ? [] : [row as Selectable<CashoutsTable>],
  );
  return { lastId: lastId == null ? 0n : BigInt(lastId), cashouts };
}

const insertEventsQuery = precompiled((db, count: number, slot) =>
  db
    .insertInto('cashout_events')
    .values(slotRows(EVENT_COLUMNS, count, slot))
    .compile(),
);

export async function insertEvents(db: Transaction<Database>, dialect: Dialect, rows: readonly EventRow[]) {
  if (rows.length) await insertEventsQuery(db, dialect, rows.length, flatten(rows, EVENT_COLUMNS));
}

// `checked_at` is the reconciler's: not in the insert, so an update leaves it alone.
const upsertCashoutsQuery = precompiled((db, count: number, slot) =>
  db
    .insertInto('cashouts')
    .values(slotRows(STATE_COLUMNS, count, slot))
    .onConflict((oc) =>
      oc
        .column('cashout_id')
        .doUpdateSet((eb) =>
          Object.fromEntries(
            STATE_COLUMNS.filter((column) => column !== 'cashout_id').map((column) => [
              column,
              eb.ref(`excluded.${column}`),
            ]),
          ),
        ),
    )
    .compile(),
);

/** Inserts or replaces each cashout's state; `checked_at` is left alone. */
export async function upsertCashouts(
  db: Transaction<Database>,
  dialect: Dialect,
  rows: readonly CashoutRow[],
) {
  if (rows.length) await upsertCashoutsQuery(db, dialect, rows.length, flatten(rows, STATE_COLUMNS));
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
