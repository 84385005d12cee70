import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../db.js';

/**
 * D24's notifications as received (the inbox: one row per dedupe key, so D24's retries are processed once), and
 * leases (one replica at a time runs the reconciler; a row, so it works on SQLite as on PostgreSQL).
 */
export function notificationInbox(dialect: Dialect): Migration {
  const time = dialect === 'postgres' ? 'timestamptz' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('notification_inbox')
        .addColumn('dedupe_key', 'text', (c) => c.primaryKey())
        .addColumn('cashout_id', 'text', (c) => c.notNull())
        .addColumn('external_id', 'text', (c) => c.notNull())
        // D24's own fields, kept as sent (its `date` is its text, not a time this service vouches for).
        .addColumn('d24_date', 'text', (c) => c.notNull())
        .addColumn('bank_reference_id', 'text', (c) => c.notNull())
        .addColumn('comments', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text', (c) => c.notNull())
        .addColumn('received_at', time, (c) => c.notNull())
        .addColumn('processed_at', time)
        .execute();
      // The start-up and retry sweeps: unprocessed rows, oldest first.
      await db.schema
        .createIndex('notification_inbox_processed_at_received_at')
        .on('notification_inbox')
        .columns(['processed_at', 'received_at'])
        .execute();

      await db.schema
        .createTable('leases')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('expires_at', time, (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('leases').execute();
      await db.schema.dropTable('notification_inbox').execute();
    },
  };
}
