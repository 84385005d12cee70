import type { Ledger, LedgerEvent } from '../ledger/types.js';
import { BATCH, type FeedListener, type LiveFeed } from './feed.js';
import { idAfter } from './ids.js';

/** Why a stream ended before its client left; the client resumes with `after` = `lastId`. */
export type EndReason = 'TOKEN_EXPIRED' | 'SLOW_CONSUMER' | 'SHUTTING_DOWN' | 'LEDGER_UNAVAILABLE';
export interface StreamEnd {
  end: EndReason;
  /** The last event id delivered (or the `after` given): where to resume. */
  lastId: string | null;
}
export type StreamItem = LedgerEvent | StreamEnd;

/** Live events held for a client that reads too slowly before its stream ends (it resumes with `after`). */
export const MAX_PENDING = 1_000;
/** Live events held while the replay runs. */
export const MAX_BUFFERED = 10_000;
// setTimeout's longest delay; a later expiry is re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface StreamOptions {
  feed: LiveFeed;
  ledger: Ledger;
  /** null: every cashout. */
  cashoutIds: ReadonlySet<string> | null;
  /** Replay every event committed after this one first (null: live only). */
  after: string | null;
  /** When the token expires (ms since the epoch). */
  expiresAt?: number;
  onClose(): void;
}

/**
 * One subscriber's events, as an async iterator. The handover from replay to live has no gap and no duplicate:
 * the stream joins the feed first and buffers what it hands over, then replays from the ledger everything after
 * `after` (page by page, as fast as the client reads), then drains the buffer; every event passes one filter,
 * "id greater than the last delivered", which is enough because ids increase in commit order.
 */
export class EventStream implements AsyncIterableIterator<StreamItem>, FeedListener {
  readonly cashoutIds: ReadonlySet<string> | null;
  private lastId: string | null;
  private live = false;
  private buffer: LedgerEvent[] = [];
  private readonly queue: StreamItem[] = [];
  private waiting: ((result: IteratorResult<StreamItem>) => void) | null = null;
  private drained: (() => void) | null = null;
  /** An end marker is queued: once it is read the stream is done. */
  private ending = false;
  private finished = false;
  private leave: (() => void) | null = null;
  private timer: NodeJS.Timeout | undefined;
  /**
   * Resolves once the feed hands this stream every new event (or it has ended): the subscription answers only then,
   * so an event committed after the client sees its answer begin is never missed. Never rejects.
   */
  readonly ready: Promise<void>;
  private joined: () => void = () => {};

  constructor(private readonly options: StreamOptions) {
    this.cashoutIds = options.cashoutIds;
    this.lastId = options.after;
    this.ready = new Promise((resolve) => {
      this.joined = resolve;
    });
    if (options.expiresAt !== undefined) this.armExpiry(options.expiresAt);
    void this.start().finally(() => this.joined());
  }

  private async start(): Promise<void> {
    try {
      const leave = await this.options.feed.join(this);
      this.joined();
      if (this.finished) {
        leave();
        return;
      }
      this.leave = leave;
      if (this.options.after !== null) await this.replay();
      if (this.finished) return;
      for (const event of this.buffer) this.accept(event);
      this.buffer = [];
      this.live = true;
    } catch {
      this.end('LEDGER_UNAVAILABLE');
    }
  }

  private async replay(): Promise<void> {
    const cashoutIds = this.cashoutIds ? [...this.cashoutIds] : null;
    for (;;) {
      const page = await this.options.ledger.eventsAfter(this.lastId, { cashoutIds, limit: BATCH });
      if (this.finished || this.ending) return;
      for (const event of page) this.accept(event);
      if (page.length < BATCH) return;
      // The next page once the client has read this one: a slow client slows the replay, not memory.
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        if (this.queue.length === 0 || this.finished) resolve();
      });
    }
  }

  /** The feed hands over a live event (already filtered by cashout). */
  deliver(event: LedgerEvent): void {
    if (this.finished || this.ending) return;
    if (this.live) {
      this.accept(event);
    } else {
      this.buffer.push(event);
      if (this.buffer.length > MAX_BUFFERED) this.end('SLOW_CONSUMER');
    }
  }

  private accept(event: LedgerEvent): void {
    if (this.lastId !== null && !idAfter(event.id, this.lastId)) return;
    this.lastId = event.id;
    this.push(event);
    if (this.queue.length > MAX_PENDING) this.end('SLOW_CONSUMER');
  }

  /** Ends the stream with a last item saying why (a client's own leaving needs none: see `return`). */
  end(reason: EndReason): void {
    if (this.finished || this.ending) return;
    // After what is queued, so `lastId` is the last event the client will have read.
    this.push({ end: reason, lastId: this.lastId });
    this.ending = true;
  }

  private push(item: StreamItem): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting({ done: false, value: item });
    } else {
      this.queue.push(item);
    }
  }

  next(): Promise<IteratorResult<StreamItem>> {
    const item = this.queue.shift();
    if (item) {
      if (this.queue.length === 0) this.drained?.();
      return Promise.resolve({ done: false, value: item });
    }
    if (this.ending || this.finished) return this.return();
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<StreamItem>> {
    if (!this.finished) {
      this.finished = true;
      clearTimeout(this.timer);
      this.leave?.();
      this.drained?.();
      this.buffer = [];
      this.queue.length = 0;
      this.waiting?.({ done: true, value: undefined });
      this.waiting = null;
      this.options.onClose();
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private armExpiry(expiresAt: number): void {
    const left = expiresAt - Date.now();
    if (left <= 0) {
      this.end('TOKEN_EXPIRED');
      return;
    }
    this.timer = setTimeout(() => this.armExpiry(expiresAt), Math.min(left, MAX_TIMER_MS));
    this.timer.unref();
  }
}
