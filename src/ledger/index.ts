import type { Logger } from 'pino';
import { type DatabaseTarget, type LedgerDatabase, migrateToLatest, openDatabase } from './connect.js';
import { decodeListCursor, encodeListCursor, parseEventId } from './cursors.js';
import * as repo from './repository.js';
import { cashoutFromRow, eventFromRow } from './rows.js';
import {
  type Ledger,
  type LedgerCashout,
  type LedgerEvent,
  LedgerUnavailableError,
  type Page,
} from './types.js';
import { GroupWriter, type LedgerObserver } from './writer.js';

export { type DatabaseTarget, databaseTarget, type LedgerDatabase, openDatabase } from './connect.js';
export * from './types.js';
export type { LedgerObserver } from './writer.js';

export interface LedgerOptions {
  target: DatabaseTarget;
  /** The database already opened from `target` (shared with the notification inbox); default: opened here. */
  database?: LedgerDatabase;
  logger: Logger;
  /** How many events may wait while the database is down (default 10,000); more are dropped, loudly. */
  maxWaiting?: number;
  /** How long a `record` waits for its commit at most (default 5 s). */
  maxWaitMs?: number;
  observer?: LedgerObserver;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Opens the ledger and runs its migrations. A database that cannot be reached does not stop start-up: the ledger
 * starts 'down', buffers events and retries (migrations included) until it is back.
 */
export async function openLedger(options: LedgerOptions): Promise<Ledger> {
  const database = options.database ?? openDatabase(options.target);
  const writer = new GroupWriter({
    database,
    logger: options.logger,
    maxWaiting: options.maxWaiting ?? 10_000,
    ...(options.maxWaitMs !== undefined && { maxWaitMs: options.maxWaitMs }),
    ...(options.observer && { observer: options.observer }),
    prepare: async () => {
      const applied = await migrateToLatest(database);
      if (applied.length) options.logger.info({ migrations: applied }, 'Ledger migrations applied');
    },
  });
  await writer.probe();
  return createLedger(database, writer);
}

function createLedger({ db }: LedgerDatabase, writer: GroupWriter): Ledger {
  // Reads fail as LEDGER_UNAVAILABLE, and mark the ledger down so /ready says so until a probe succeeds.
  const read = async <T>(query: () => Promise<T>): Promise<T> => {
    try {
      return await query();
    } catch (error) {
      writer.markDown(error);
      throw new LedgerUnavailableError();
    }
  };
  const page = <T>(rows: T[], first: number, cursor: (last: T) => string): Page<T> => {
    const items = rows.slice(0, first);
    const last = items.at(-1);
    return { items, hasNextPage: rows.length > first, endCursor: last === undefined ? null : cursor(last) };
  };
  return {
    get status() {
      return writer.status;
    },
    get waiting() {
      return writer.waiting;
    },
    record: (event) => writer.enqueue(event),
    observe: (snapshot, meta) =>
      writer.enqueue({
        cashoutId: snapshot.cashoutId,
        action: meta.action,
        actor: meta.actor,
        reason: null,
        resultType: 'Cashout',
        outcome: null,
        d24Code: null,
        cashout: snapshot,
        requestId: meta.requestId,
      }),
    cashout: (cashoutId) =>
      read(async () => {
        const row = await repo.cashoutById(db, cashoutId);
        return row ? cashoutFromRow(row) : null;
      }),
    history: async (cashoutId, { first, after }) => {
      const before = after == null ? null : parseEventId(after);
      return read(async () => {
        const rows = await repo.eventsOfCashout(db, cashoutId, before, first + 1);
        return page(rows.map(eventFromRow), first, (event) => event.id);
      });
    },
    list: async ({ statuses, first, after }) => {
      const before = after == null ? null : decodeListCursor(after);
      return read(async () => {
        const rows = await repo.cashoutsByChange(db, statuses?.length ? statuses : null, before, first + 1);
        return page(rows.map(cashoutFromRow), first, encodeListCursor);
      });
    },
    eventsAfter: async (afterId, { cashoutIds, limit }) => {
      const after = afterId === null ? null : parseEventId(afterId);
      return read(async () =>
        (await repo.eventsSince(db, after, cashoutIds ?? null, limit)).map(eventFromRow),
      );
    },
    hasEvent: (id) => {
      const parsed = parseEventIdOrNull(id);
      return parsed === null ? Promise.resolve(false) : read(() => repo.eventExists(db, parsed));
    },
    onCommitted: (listener) => writer.onCommitted(listener),
    cashoutsToReconcile: ({ limit, now = new Date(), completedWithinMs = 30 * DAY_MS }) =>
      read(async () => {
        const since = new Date(now.getTime() - completedWithinMs).toISOString();
        return (await repo.cashoutsDueForCheck(db, since, limit)).map(cashoutFromRow);
      }),
    markChecked: (cashoutIds, at = new Date()) =>
      read(() => repo.setCheckedAt(db, cashoutIds, at.toISOString())),
    close: async ({ graceMs = 5_000 } = {}) => {
      await writer.close(graceMs);
      await db.destroy();
    },
  };
}

function parseEventIdOrNull(id: string): string | null {
  try {
    return parseEventId(id);
  } catch {
    return null;
  }
}

export type { LedgerCashout, LedgerEvent };
