import type { Logger } from 'pino';
import {
  type InboxDb,
  type InboxRow,
  insertNotification,
  markNotificationsProcessed,
  unprocessedNotifications,
} from '../ledger/inbox.js';
import type { Ledger } from '../ledger/types.js';
import type { ReceivedNotification } from './form.js';
import type { StatusLookups } from './lookups.js';
import type { NotificationRecorder } from './webhook.js';

/** How processing one notification ended (a metric label). */
export type ProcessResult = 'changed' | 'unchanged' | 'not_found' | 'failed';

export interface ProcessorDeps {
  db: InboxDb;
  ledger: Pick<Ledger, 'observe'>;
  lookups: StatusLookups;
  logger: Logger;
  onProcessed?(result: ProcessResult): void;
  /** Rows left unprocessed (D24 or the database failed) are retried this long after, doubling up to 5 min. */
  retryMs?: number;
}

const SWEEP_BATCH = 100;
const SWEEP_CONCURRENCY = 4;
const MAX_RETRY_MS = 5 * 60_000;

/**
 * The transactional inbox's reader: for each recorded notification, one (coalesced) Status look-up, the ledger's
 * `observe` with action NOTIFICATION (an event only when the status is new or changed), then the row is marked
 * processed. A crash in between leaves the row unprocessed: the start-up sweep processes it again, harmlessly.
 */
export class NotificationProcessor implements NotificationRecorder {
  readonly #deps: ProcessorDeps;
  readonly #inFlight = new Set<Promise<void>>();
  #retryTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #retryMs: number;
  #sweeping: Promise<void> | undefined;
  #closed = false;

  constructor(deps: ProcessorDeps) {
    this.#deps = deps;
    this.#retryMs = deps.retryMs ?? 5_000;
  }

  async record(n: ReceivedNotification): Promise<{ duplicate: boolean }> {
    const inserted = await insertNotification(this.#deps.db, {
      dedupe_key: n.dedupeKey,
      cashout_id: String(n.cashoutId),
      external_id: n.externalId,
      d24_date: n.date,
      bank_reference_id: n.bankReferenceId,
      comments: n.comments,
      status_reason: n.statusReason,
      received_at: new Date().toISOString(),
    });
    return { duplicate: !inserted };
  }

  /** Processes a just-recorded notification in the background. */
  submit(n: ReceivedNotification, requestId?: string): void {
    const row = { dedupeKey: n.dedupeKey, cashoutId: String(n.cashoutId), externalId: n.externalId };
    this.#track(this.#process(row, requestId).then(() => {}));
  }

  /**
   * Sweeps now (start-up: what a previous run left), then every `everyMs` the rows older than that (another
   * replica's that it could not finish, say).
   */
  start(everyMs = 60_000): void {
    void this.sweep();
    this.#sweepTimer ??= setInterval(() => void this.sweep(everyMs), everyMs);
    this.#sweepTimer.unref();
  }

  /** Processes every unprocessed row received until `olderThanMs` ago (start-up, retries after a failure). */
  sweep(olderThanMs = 0): Promise<void> {
    this.#sweeping ??= this.#sweepAll(olderThanMs).finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  /** Resolves once nothing is being processed (tests wait on it). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0 || this.#sweeping) {
      await Promise.all([...this.#inFlight, this.#sweeping]);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#sweepTimer);
    await this.idle();
  }

  async #sweepAll(olderThanMs: number): Promise<void> {
    const until = new Date(Date.now() - olderThanMs).toISOString();
    let rows: InboxRow[];
    try {
      rows = await unprocessedNotifications(this.#deps.db, until, SWEEP_BATCH);
    } catch {
      this.#scheduleRetry();
      return;
    }
    while (rows.length > 0 && !this.#closed) {
      const results: ProcessResult[] = [];
      for (let i = 0; i < rows.length; i += SWEEP_CONCURRENCY) {
        const batch = rows.slice(i, i + SWEEP_CONCURRENCY);
        results.push(...(await Promise.all(batch.map((row) => this.#process(row)))));
      }
      // Rows that failed stay unprocessed: the scheduled retry reads them again, not this loop.
      if (results.includes('failed') || rows.length < SWEEP_BATCH) return;
      rows = await unprocessedNotifications(this.#deps.db, until, SWEEP_BATCH).catch(() => []);
    }
  }

  async #process(row: InboxRow, requestId?: string): Promise<ProcessResult> {
    const { ledger, lookups, db, logger } = this.#deps;
    let result: ProcessResult;
    try {
      const state = await lookups.get(
        Number(row.cashoutId),
        row.externalId,
        requestId ? { requestId } : undefined,
      );
      result = 'not_found';
      if (state) {
        const event = await ledger.observe(
          { ...state, cashoutId: row.cashoutId },
          { action: 'NOTIFICATION', actor: null, requestId: requestId ?? null },
        );
        result = event?.changed ? 'changed' : 'unchanged';
      }
      await markNotificationsProcessed(db, [row.dedupeKey], new Date().toISOString());
      this.#retryMs = this.#deps.retryMs ?? 5_000;
    } catch (error) {
      result = 'failed';
      logger.debug(
        { cashoutId: row.cashoutId, requestId, err: { name: (error as Error)?.name } },
        'D24 notification not processed yet: will retry',
      );
      this.#scheduleRetry();
    }
    this.#deps.onProcessed?.(result);
    return result;
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.sweep();
    }, this.#retryMs);
    this.#retryTimer.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }
}
