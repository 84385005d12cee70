import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { D24UnavailableError } from '../d24/errors.js';
import { acquireLease, type InboxDb, pruneNotifications, releaseLease } from '../ledger/inbox.js';
import type { Ledger, LedgerCashout } from '../ledger/types.js';
import type { StatusLookups } from './lookups.js';

export interface ReconcilerOptions {
  db: InboxDb;
  ledger: Pick<Ledger, 'cashoutsToReconcile' | 'markChecked' | 'observe'>;
  lookups: StatusLookups;
  logger: Logger;
  /** RECONCILE_INTERVAL_MS: time between runs; 0: never on its own (`runOnce()` still works). */
  intervalMs: number;
  /** Status calls per second at most (default 5): D24 is a partner's API, not ours to load. */
  ratePerSecond?: number;
  /** Cashouts per run at most (default 1,000), least recently checked first. */
  batchSize?: number;
  /** This replica's name in the lease (default a random UUID). */
  holder?: string;
  onChecked?(cashouts: number, changes: number): void;
  /** Seconds since the least recently checked non-final cashout was checked (or became known), per run. */
  onOldestUnchecked?(seconds: number): void;
}

/** What one run did; `leader: false` when another replica holds the lease. */
export interface ReconcileRun {
  leader: boolean;
  checked: number;
  changes: number;
  /** True when D24 could not be reached and the run stopped early (the rest waits for the next run). */
  interrupted: boolean;
}

const LEASE = 'reconciler';
const CHECK_CHUNK = 20;
const DAY_MS = 24 * 60 * 60 * 1000;
const INBOX_RETENTION_MS = 30 * DAY_MS;

/**
 * Notifications can be lost; the reconciler makes the ledger right anyway. Every `intervalMs` the replica holding
 * the lease (a row in `leases`, renewed while it works, so one replica reconciles at a time on one database) asks
 * D24's Status endpoint, at a bounded rate, about every cashout the ledger knows that can still change, and writes a
 * RECONCILE event for each change (the ledger's `observe`). It never touches /ready.
 */
export class Reconciler {
  readonly #options: ReconcilerOptions;
  readonly #holder: string;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<ReconcileRun> | undefined;
  #stopped = false;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
    this.#holder = options.holder ?? randomUUID();
  }

  start(): void {
    if (this.#options.intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => void this.runOnce().catch(() => {}), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** One run now (or the one already running). Never rejects for D24 or database failures: they end the run. */
  runOnce(): Promise<ReconcileRun> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => {});
    await releaseLease(this.#options.db, LEASE, this.#holder).catch(() => {});
  }

  async #run(): Promise<ReconcileRun> {
    const run: ReconcileRun = { leader: false, checked: 0, changes: 0, interrupted: false };
    const { ledger, logger } = this.#options;
    try {
      if (!(await this.#lease())) return run;
      run.leader = true;
      const due = await ledger.cashoutsToReconcile({ limit: this.#options.batchSize ?? 1_000 });
      this.#reportOldest(due);
      const minGapMs = 1_000 / (this.#options.ratePerSecond ?? 5);
      let checked: string[] = [];
      for (const cashout of due) {
        if (this.#stopped) break;
        const started = performance.now();
        const outcome = await this.#check(cashout);
        if (outcome === 'unavailable') {
          run.interrupted = true;
          break;
        }
        run.checked++;
        if (outcome === 'changed') run.changes++;
        this.#options.onChecked?.(1, outcome === 'changed' ? 1 : 0);
        checked.push(cashout.cashoutId);
        if (checked.length >= CHECK_CHUNK) {
          await this.#flush(checked);
          checked = [];
          if (!(await this.#lease())) break; // lost it (this replica stalled past the lease): another runs now
        }
        const wait = minGapMs - (performance.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      await this.#flush(checked);
      await pruneNotifications(this.#options.db, new Date(Date.now() - INBOX_RETENTION_MS).toISOString());
      if (run.checked || run.interrupted) logger.info(run, 'Reconciler run');
    } catch (error) {
      logger.warn(
        { err: { name: (error as Error)?.name }, ...run },
        'Reconciler run stopped: ledger unavailable',
      );
    }
    return run;
  }

  async #check(cashout: LedgerCashout): Promise<'changed' | 'unchanged' | 'unavailable'> {
    try {
      const state = await this.#options.lookups.get(Number(cashout.cashoutId));
      if (!state) return 'unchanged'; // D24 says no such cashout: nothing to correct, and checked all the same
      const event = await this.#options.ledger.observe(
        { ...state, cashoutId: cashout.cashoutId, externalId: state.externalId ?? cashout.externalId },
        { action: 'RECONCILE', actor: null, requestId: null },
      );
      return event?.changed ? 'changed' : 'unchanged';
    } catch (error) {
      // D24 down: stop, rather than spend the rate on calls that fail. Other D24 errors concern this cashout only.
      return error instanceof D24UnavailableError ? 'unavailable' : 'unchanged';
    }
  }

  async #flush(cashoutIds: string[]): Promise<void> {
    if (cashoutIds.length) await this.#options.ledger.markChecked(cashoutIds);
  }

  #lease(): Promise<boolean> {
    const now = Date.now();
    // Long enough to outlive a run at the bounded rate; renewed every CHECK_CHUNK checks.
    const ttlMs = Math.max(60_000, this.#options.intervalMs * 2);
    return acquireLease(this.#options.db, {
      name: LEASE,
      holder: this.#holder,
      now: new Date(now).toISOString(),
      expiresAt: new Date(now + ttlMs).toISOString(),
    });
  }

  #reportOldest(due: readonly LedgerCashout[]): void {
    const now = Date.now();
    let oldest = 0;
    for (const c of due) oldest = Math.max(oldest, now - Date.parse(c.checkedAt ?? c.updatedAt));
    this.#options.onOldestUnchecked?.(oldest / 1000);
  }
}
