import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../db.js';
import { ledgerTables } from './0001-ledger.js';
import { notificationInbox } from './0002-notification-inbox.js';

/**
 * Every migration, in order (Kysely runs them sorted by name). Listed statically, not read from a folder: the
 * bundle has no dynamic import(). A new migration is a new file here `NNNN-name.ts` exporting `(dialect) =>
 * Migration`, plus one line below.
 */
const MIGRATIONS: Record<string, (dialect: Dialect) => Migration> = {
  '0001-ledger': ledgerTables,
  '0002-notification-inbox': notificationInbox,
};

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: async () =>
      Object.fromEntries(Object.entries(MIGRATIONS).map(([name, make]) => [name, make(dialect)])),
  };
}
