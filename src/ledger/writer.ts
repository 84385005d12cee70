// Over 200 lines: the write queue, its outage buffer and its drain are one state machine.
import type { Selectable } from 'kysely';
import type { Logger } from 'pino';
import { applyEvent } from './apply.js';
import type { LedgerDatabase } from './connect.js';
import type { CashoutEventsTable } from './db.js';
import { insertEvents, lastIdAndCashouts, lockWrites, upsertCashouts } from './repository.js';
import { type CashoutRow, type EventRow, eventFromRow } from './rows.js';
import type { CommitListener, LedgerEvent, LedgerStatus, NewLedgerEvent } from './types.js';

/** What the writer reports, for /metrics. */
export interface LedgerObserver {
  written?(events: number, seconds: number): void;
  failed?(): void;
  dropped?(events: number): void;
}

export interface WriterOptions {
  database: LedgerDatabase;
  logger: Logger;
  /** Bound of the buffer: events beyond it are dropped (and logged, whole, at error level). */
  maxWaiting: number;
  /** Events per transaction at most. */
  maxBatch?: number;
  /** A `record` resolves after this long even if its event is not yet written (it stays queued). */
  maxWaitMs?: number;
  observer?: LedgerObserver;
  /** Runs before the first write and after each failure, until it succeeds (the migrations). */
  prepare: () => Promise<void>;
}

interface Pending {
  event: NewLedgerEvent;
  at: string;
  queuedAt: number;
  settle: (event: LedgerEvent | null) => void;
}

const RETRY_MS = { first: 200, max: 5_000 };

/**
 * Group commit: events recorded while a transaction is in flight go together into the next one. A failed write
 * marks the ledger down; its events stay queued, in order, and are retried with backoff until the database is back.
 */
export class GroupWriter {
  readonly #options: WriterOptions;
  readonly #queue: Pending[] = [];
  readonly #listeners = new Set<CommitListener>();
  #writing = false;
  #prepared = false;
  #status: LedgerStatus = 'up';
  #retry: NodeJS.Timeout | undefined;
  #retryMs = RETRY_MS.first;
  readonly #watchdog: NodeJS.Timeout;
  #closed = false;

  constructor(options: WriterOptions) {
    this.#options = options;
    const maxWaitMs = options.maxWaitMs ?? 5_000;
    // One timer for all: whoever waited too long gets an answer; the event stays queued.
    this.#watchdog = setInterval(
      () => {
        const cutoff = performance.now() - maxWaitMs;
        for (const pending of this.#queue) if (pending.queuedAt <= cutoff) pending.settle(null);
      },
      Math.max(50, maxWaitMs / 4),
    );
    this.#watchdog.unref();
  }

  get status(): LedgerStatus {
    return this.#status;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  enqueue(event: NewLedgerEvent): Promise<LedgerEvent | null> {
    if (this.#closed || this.#queue.length >= this.#options.maxWaiting) {
      this.#drop([event], this.#closed ? 'the ledger is closed' : 'the ledger buffer is full');
      return Promise.resolve(null);
    }
    return new Promise((resolve) => {
      let settled = false;
      const settle = (value: LedgerEvent | null) => {
        if (settled) return;
        settled = true;
        resolve(value);
      };
      this.#queue.push({ event, at: new Date().toISOString(), queuedAt: performance.now(), settle });
      if (this.#status === 'down') settle(null);
      else void this.#drain();
    });
  }

  onCommitted(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs `prepare` (the migrations) now; on failure the ledger starts down and keeps retrying. */
  async probe(): Promise<void> {
    try {
      await this.#options.prepare();
      this.#prepared = true;
    } catch (error) {
      this.markDown(error);
    }
  }

  /** Marks the ledger down after a failed read too, so /ready says so and a probe brings it back. */
  markDown(error: unknown): void {
    if (this.#status === 'up') {
      this.#status = 'down';
      this.#options.logger.error({ err: error }, 'Ledger unavailable: events wait in the buffer');
    }
    this.#scheduleRetry();
  }

  /** Writes what waits, for up to `graceMs`; logs whatever is left as dropped. */
  async close(graceMs: number): Promise<void> {
    this.#closed = true;
    const deadline = performance.now() + graceMs;
    while (this.#queue.length && performance.now() < deadline) {
      if (this.#status === 'up' && !this.#writing) await this.#drain();
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    clearTimeout(this.#retry);
    clearInterval(this.#watchdog);
    const left = this.#queue.splice(0);
    if (left.length)
      this.#drop(
        left.map((p) => p.event),
        'the service stopped before the ledger was back',
      );
    for (const pending of left) pending.settle(null);
  }

  async #drain(): Promise<void> {
    if (this.#writing || this.#queue.length === 0) return;
    this.#writing = true;
    // One turn of the event loop first, so the events of requests answered meanwhile join this commit: SQLite's
    // driver is synchronous, so without it nothing could be queued while a commit is "in flight".
    await new Promise((resolve) => setImmediate(resolve));
    const batch = this.#queue.slice(0, this.#options.maxBatch ?? 500);
    const started = performance.now();
    try {
      if (!this.#prepared) {
        await this.#options.prepare();
        this.#prepared = true;
      }
      const committed = await writeBatch(this.#options.database, batch);
      this.#queue.splice(0, batch.length);
      this.#options.observer?.written?.(batch.length, (performance.now() - started) / 1000);
      this.#up();
      for (const [i, pending] of batch.entries()) pending.settle(committed[i] ?? null);
      const events = committed.filter((event): event is LedgerEvent => event !== null);
      if (events.length) this.#publish(events);
    } catch (error) {
      this.#options.observer?.failed?.();
      // Nobody waits on a ledger that is down: every queued event's caller gets its answer now.
      for (const pending of this.#queue) pending.settle(null);
      this.#writing = false;
      this.markDown(error);
      return;
    }
    this.#writing = false;
    if (this.#queue.length) void this.#drain();
  }

  #publish(events: LedgerEvent[]): void {
    for (const listener of this.#listeners) {
      try {
        listener(events);
      } catch (error) {
        this.#options.logger.error({ err: error }, 'A ledger commit listener threw');
      }
    }
  }

  #up(): void {
    this.#retryMs = RETRY_MS.first;
    if (this.#status === 'down') {
      this.#status = 'up';
      this.#options.logger.warn(
        { waiting: this.#queue.length },
        'Ledger available again: writing what waits',
      );
    }
  }

  #scheduleRetry(): void {
    if (this.#retry || this.#closed) return;
    this.#retry = setTimeout(async () => {
      this.#retry = undefined;
      // Still 'down' while it tries: new events keep answering at once.
      if (this.#queue.length) return this.#drain();
      try {
        await this.#options.prepare();
        this.#prepared = true;
        this.#up();
      } catch {
        this.#scheduleRetry();
      }
    }, this.#retryMs);
    this.#retry.unref();
    this.#retryMs = Math.min(RETRY_MS.max, this.#retryMs * 2);
  }

  #drop(events: NewLedgerEvent[], why: string): void {
    this.#options.observer?.dropped?.(events.length);
    // Loud, and whole: the log is then the only record of these actions.
    for (const event of events)
      this.#options.logger.error({ ledgerEvent: event }, `Ledger event DROPPED: ${why}`);
  }
}

/** One group commit: assigns ids in order under the write lock, applies each event, writes events and states. */
async function writeBatch(
  { db, dialect }: LedgerDatabase,
  batch: Pending[],
): Promise<(LedgerEvent | null)[]> {
  return db.transaction().execute(async (trx) => {
    await lockWrites(trx, dialect);
    const { lastId, cashouts } = await lastIdAndCashouts(trx, dialect, [
      ...new Set(batch.map((p) => p.event.cashoutId)),
    ]);
    let next = lastId + 1n;
    const known = new Map<string, CashoutRow>(cashouts.map((row) => [row.cashout_id, row]));
    const touched = new Map<string, CashoutRow>();
    const rows: EventRow[] = [];
    const results = batch.map((pending) => {
      const applied = applyEvent(
        known.get(pending.event.cashoutId) ?? null,
        pending.event,
        String(next),
        pending.at,
      );
      if (!applied) return null;
      next += 1n;
      rows.push(applied.event);
      if (applied.cashout) {
        known.set(pending.event.cashoutId, applied.cashout);
        touched.set(pending.event.cashoutId, applied.cashout);
      }
      return eventFromRow(applied.event as Selectable<CashoutEventsTable>);
    });
    await insertEvents(trx, dialect, rows);
    await upsertCashouts(trx, dialect, [...touched.values()]);
    return results;
  });
}
