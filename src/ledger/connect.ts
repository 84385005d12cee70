import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import type { Pool, PoolConfig } from 'pg';
import type { Database, Dialect } from './db.js';
import { Lru } from './lru.js';
import { migrationProvider } from './migrations/index.js';

/** Where the ledger lives: an SQLite file (or `:memory:`), or a PostgreSQL server shared by replicas. */
export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface LedgerDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
}

/** `file:PATH` → SQLite; `postgres://` or `postgresql://` → PostgreSQL. Null when the URL is neither. */
export function databaseTarget(url: string): DatabaseTarget | null {
  if (url.startsWith('file:')) {
    const file = url.slice('file:'.length);
    return file ? { kind: 'sqlite', path: file } : null;
  }
  return /^postgres(ql)?:\/\//.test(url) ? { kind: 'postgres', url } : null;
}

/** The one dialect switch: opens the database `target` names (creating an SQLite file's folder). */
export function openDatabase(target: DatabaseTarget): LedgerDatabase {
  if (target.kind === 'postgres') {
    // Loaded only when used: most installs never touch PostgreSQL, and start-up should not parse pg.
    const { Pool: PgPool } = createRequire(import.meta.url)('pg') as { Pool: new (c: PoolConfig) => Pool };
    const pool = new PgPool({
      connectionString: target.url,
      max: 10,
      // A server that does not answer must fail a write fast: events then wait in the buffer.
      connectionTimeoutMillis: 3_000,
      query_timeout: 10_000,
    });
    // A connection the server (or the network) closed must not crash the process: idle ones report to the pool,
    // busy ones to themselves (their query fails on its own, and the writer retries).
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres' };
  }
  const memory = target.path === ':memory:';
  if (!memory) mkdirSync(path.dirname(path.resolve(target.path)), { recursive: true });
  const sqlite = new SQLite(target.path);
  if (!memory) {
    // WAL: readers never block the writer. NORMAL: a commit survives the process dying (kill -9); only a power loss
    // can lose the last ones. FULL would fsync each commit on the event loop (better-sqlite3 is synchronous).
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
  }
  sqlite.pragma('busy_timeout = 5000');
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }),
    dialect: 'sqlite',
  };
}

/** Kysely prepares every query anew; the ledger runs the same few, so the last 256 stay prepared. */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const prepared = new Lru<string, SQLite.Statement>(256);
  return {
    close: () => sqlite.close(),
    prepare: (text) => prepared.get(text, () => sqlite.prepare(text)),
  };
}

/** Runs every migration not yet applied (the same files on both databases); throws the first failure. */
export async function migrateToLatest({ db, dialect }: LedgerDatabase): Promise<string[]> {
  // Kysely looks for its migration tables in every schema unless told which: name the one in use (search_path).
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    ...(schema && { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
