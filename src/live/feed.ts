import type { Logger } from 'pino';
import type { Ledger, LedgerEvent } from '../ledger/types.js';
import { idAfter, latestEventId } from './ids.js';
import type { LivePubSub } from './pubsub.js';

/** One subscriber as the feed sees it: the cashouts it follows (null: all), and where events go. */
export interface FeedListener {
  readonly cashoutIds: ReadonlySet<string> | null;
  deliver(event: LedgerEvent): void;
}

export interface LiveFeed {
  /**
   * Adds a listener once the feed follows the ledger; from then on it gets every event committed after the moment
   * `join` resolved (and maybe a few before). Rejects when the ledger cannot be read. Returns the removal function.
   */
  join(listener: FeedListener): Promise<() => void>;
  /** Commits of this replica: read them now, and tell the other replicas to look. */
  committed(events: readonly LedgerEvent[]): void;
  close(): void;
}

/** Events read from the ledger per query. */
export const BATCH = 500;

/**
 * A replica's one reader of the ledger for all its subscribers. While anyone listens it keeps a cursor (the last
 * event id read) and, on every signal (a commit here, a Redis message from another replica) and every
 * `pollMs`, reads the events after it, in id order, handing each to the listeners of its cashout and to those of
 * all: one query per signal, O(its listeners) per event. Ids increase in commit order, so reading after the cursor
 * never skips an event that commits later. With no listener it reads nothing and keeps no cursor.
 */
export function createLiveFeed(options: {
  ledger: Ledger;
  pubSub: LivePubSub;
  logger: Logger;
  pollMs?: number;
  /** Whether other replicas hear this one's signals (Redis); without, a signal only wakes this feed. */
  shared?: boolean;
}): LiveFeed {
  const { ledger, pubSub, logger } = options;
  const everything = new Set<FeedListener>();
  const byCashout = new Map<string, Set<FeedListener>>();
  let listeners = 0;
  // Bumped whenever the feed stops following, so a read begun before cannot move a newer cursor.
  let generation = 0;
  let cursor: string | null = null;
  let following: Promise<void> | null = null;
  let reading = false;
  let readAgain = false;
  let ledgerDown = false;
  let closed = false;

  const follow = () => {
    if (following) return following;
    const mine = generation;
    following = latestEventId(ledger).then(
      (id) => {
        if (mine === generation) cursor = id;
      },
      (error: unknown) => {
        if (mine === generation) following = null;
        throw error;
      },
    );
    return following;
  };

  async function read(): Promise<void> {
    if (listeners === 0 || !following) return;
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    const mine = generation;
    try {
      await following;
      do {
        readAgain = false;
        for (;;) {
          const events = await ledger.eventsAfter(cursor, { limit: BATCH });
          if (mine !== generation) return;
          for (const event of events) {
            cursor = event.id;
            dispatch(event);
          }
          if (events.length < BATCH) break;
        }
      } while (readAgain && mine === generation);
      if (ledgerDown) logger.info('Live feed: reading the ledger again');
      ledgerDown = false;
    } catch (error) {
      // The next signal or poll tries again from the same cursor: nothing is skipped.
      if (!ledgerDown) logger.warn({ err: { name: (error as Error).name } }, 'Live feed: ledger unreadable');
      ledgerDown = true;
    } finally {
      reading = false;
    }
  }

  function dispatch(event: LedgerEvent): void {
    for (const listener of everything) listener.deliver(event);
    const followers = byCashout.get(event.cashoutId);
    if (followers) for (const listener of followers) listener.deliver(event);
  }

  function add(listener: FeedListener): void {
    listeners++;
    if (!listener.cashoutIds) {
      everything.add(listener);
      return;
    }
    for (const id of listener.cashoutIds) {
      const set = byCashout.get(id) ?? new Set<FeedListener>();
      byCashout.set(id, set);
      set.add(listener);
    }
  }

  function remove(listener: FeedListener): void {
    listeners--;
    everything.delete(listener);
    for (const id of listener.cashoutIds ?? []) {
      const set = byCashout.get(id);
      set?.delete(listener);
      if (set?.size === 0) byCashout.delete(id);
    }
    if (listeners === 0) {
      generation++;
      cursor = null;
      following = null;
    }
  }

  const signals = pubSub.subscribe('ledger-committed');
  (async () => {
    for await (const signal of signals) {
      if (cursor === null || idAfter(signal.upTo, cursor)) void read();
    }
  })().catch((error: unknown) => logger.error({ err: error }, 'Live feed: signal loop ended'));
  const poll = setInterval(() => void read(), options.pollMs ?? 1_000);
  poll.unref();

  return {
    async join(listener) {
      if (closed) throw new Error('the live feed is closed');
      add(listener);
      try {
        await follow();
      } catch (error) {
        remove(listener);
        throw error;
      }
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        remove(listener);
      };
    },
    committed(events) {
      const last = events.at(-1);
      // Alone and unheard, a signal would only wake this feed's own loop, whose read would find nobody to serve.
      if (!last || (listeners === 0 && !options.shared)) return;
      void read();
      pubSub.publish('ledger-committed', {
        upTo: last.id,
        cashoutIds: [...new Set(events.map((event) => event.cashoutId))],
      });
    },
    close() {
      closed = true;
      clearInterval(poll);
      void signals.return?.();
    },
  };
}
