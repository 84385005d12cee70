import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { type InboxDb, withInboxTables } from '../../src/ledger/inbox.js';
import { type LedgerDatabase, openDatabase } from '../../src/ledger/index.js';
import { startTcpProxy } from './net.js';
import { createTestSchema, postgresAvailable, TEST_DATABASE_URL } from './postgres.js';

/** A real database for the service (DATABASE_URL), a connection of the test's own to read it, and an outage. */
export interface Engine {
  name: 'SQLite' | 'PostgreSQL';
  databaseUrl: string;
  /** The test's own connection (the service has its own): to read the inbox as an operator would. */
  reader(): InboxDb;
  /** Makes the database unusable to the service (SQLite: another connection holds the write lock; PostgreSQL: the network is cut). */
  beginOutage(): Promise<void>;
  endOutage(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function sqliteEngine(): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'd24-live-'));
  const path = join(dir, 'ledger.sqlite');
  let reader: LedgerDatabase | undefined;
  let locker: SQLite.Database | undefined;
  return {
    name: 'SQLite',
    databaseUrl: `file:${path}`,
    reader() {
      reader ??= openDatabase({ kind: 'sqlite', path });
      return withInboxTables(reader.db);
    },
    async beginOutage() {
      locker = new SQLite(path);
      locker.exec('BEGIN EXCLUSIVE'); // a backup or another process writing: the service's writes get SQLITE_BUSY
    },
    async endOutage() {
      locker?.exec('ROLLBACK');
      locker?.close();
      locker = undefined;
    },
    async cleanup() {
      await reader?.db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Null when PostgreSQL is unreachable outside CI (postgresAvailable says what to set). */
export async function postgresEngine(): Promise<Engine | null> {
  if (!(await postgresAvailable())) return null;
  const schema = await createTestSchema('live');
  const server = new URL(TEST_DATABASE_URL);
  const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
  const viaProxy = new URL(schema.url);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  let reader: LedgerDatabase | undefined;
  return {
    name: 'PostgreSQL',
    databaseUrl: viaProxy.toString(),
    reader() {
      reader ??= openDatabase({ kind: 'postgres', url: schema.url });
      return withInboxTables(reader.db);
    },
    async beginOutage() {
      proxy.cut();
    },
    async endOutage() {
      proxy.restore();
    },
    async cleanup() {
      await reader?.db.destroy();
      await proxy.close();
      await schema.drop();
    },
  };
}
