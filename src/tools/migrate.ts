import { ConfigError, loadConfig } from '../config.js';
import { migrateToLatest, openDatabase } from '../ledger/connect.js';

// `npm run migrate`: the ledger's migrations on DATABASE_URL (the service also runs them at start-up).
async function main(): Promise<void> {
  const { target } = loadConfig(process.env).ledger;
  if (target.kind === 'sqlite' && target.path === ':memory:') {
    console.error(
      'Set DATABASE_URL (file:PATH or postgres://…): an in-memory ledger has nothing to migrate.',
    );
    process.exit(2);
  }
  const database = openDatabase(target);
  try {
    const applied = await migrateToLatest(database);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Up to date: no migration to apply.');
  } finally {
    await database.db.destroy();
  }
}

main().catch((error: unknown) => {
  // Never the URL: it may hold a password.
  console.error(
    error instanceof ConfigError ? error.message : `Migration failed: ${(error as Error).message}`,
  );
  process.exit(1);
});
