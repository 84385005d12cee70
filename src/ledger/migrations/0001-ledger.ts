import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/** The events and each cashout's last known state, with the indexes the ledger's queries use. */
export function ledgerTables(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('cashout_events')
        // No sequence: the writer assigns ids under its lock, so they increase in commit order (see writer.ts).
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('cashout_id', 'text', (c) => c.notNull())
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('actor', 'text')
        .addColumn('reason', 'text')
        .addColumn('result_type', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('d24_code', 'integer')
        .addColumn('changed', 'integer', (c) => c.notNull())
        .addColumn('previous_status_code', 'integer')
        .addColumn('status_code', 'integer')
        .addColumn('status_description', 'text')
        .addColumn('external_id', 'text')
        .addColumn('rejection_code', 'integer')
        .addColumn('rejection_reason', 'text')
        .addColumn('request_id', 'text')
        .execute();
      // history(): one cashout's events by id.
      await db.schema
        .createIndex('cashout_events_cashout_id_id')
        .on('cashout_events')
        .columns(['cashout_id', 'id'])
        .execute();

      await db.schema
        .createTable('cashouts')
        .addColumn('cashout_id', 'text', (c) => c.primaryKey())
        .addColumn('external_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer', (c) => c.notNull())
        .addColumn('status_description', 'text', (c) => c.notNull())
        .addColumn('rejection_code', 'integer')
        .addColumn('rejection_reason', 'text')
        .addColumn('hold_by', 'text')
        .addColumn('hold_reason', 'text')
        .addColumn('hold_since', time)
        .addColumn('updated_at', time, (c) => c.notNull())
        .addColumn('last_event_id', 'bigint', (c) => c.notNull())
        .addColumn('checked_at', time)
        .execute();
      // list(status): by status, most recently changed first (cashout_id breaks ties for the cursor).
      await db.schema
        .createIndex('cashouts_status_updated_at')
        .on('cashouts')
        .columns(['status', 'updated_at', 'cashout_id'])
        .execute();
      // list() without a status filter.
      await db.schema
        .createIndex('cashouts_updated_at')
        .on('cashouts')
        .columns(['updated_at', 'cashout_id'])
        .execute();
      // The reconciler: least recently checked first.
      await db.schema.createIndex('cashouts_checked_at').on('cashouts').column('checked_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('cashouts').execute();
      await db.schema.dropTable('cashout_events').execute();
    },
  };
}
