import type { Logger } from 'pino';
import type { Principal } from '../context.js';
import type { Ledger } from '../ledger/types.js';
import type { RedisConnections } from '../redis.js';
import { createLiveFeed, type LiveFeed } from './feed.js';
import { createLivePubSub, type LivePubSub } from './pubsub.js';
import { EventStream } from './stream.js';

export type { EndReason, EventStream, StreamEnd, StreamItem } from './stream.js';

/** Refused: the principal, or the replica, already has as many open streams as allowed. */
export class TooManyStreamsError extends Error {
  override readonly name = 'TooManyStreamsError';
  readonly code = 'TOO_MANY_SUBSCRIPTIONS';
}

/** A replica's live updates: its PubSub, its one reader of the ledger, and the open streams with their bounds. */
export interface Live {
  pubSub: LivePubSub;
  feed: LiveFeed;
  /** Opens a stream of ledger events; throws TooManyStreamsError over a bound. */
  open(request: {
    principal: Principal;
    cashoutIds: readonly string[] | null;
    after: string | null;
  }): EventStream;
  /** Streams open now (SSE and WebSocket). */
  openStreams(): number;
  /** Ends every stream (each client gets a last item saying to resume) and stops reading the ledger. */
  close(): void;
}

export interface LiveOptions {
  ledger: Ledger;
  /** With Redis, commit signals cross replicas; without, they stay in process. */
  redis: RedisConnections | null;
  logger: Logger;
  limits: { perPrincipal: number; max: number };
  pollMs?: number;
}

export function createLive(options: LiveOptions): Live {
  const pubSub = createLivePubSub(options.redis, options.logger);
  const feed = createLiveFeed({
    ledger: options.ledger,
    pubSub,
    logger: options.logger,
    shared: options.redis !== null,
    ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
  });
  const stopCommits = options.ledger.onCommitted((events) => feed.committed(events));
  const streams = new Set<EventStream>();
  const perPrincipal = new Map<string, number>();
  return {
    pubSub,
    feed,
    open({ principal, cashoutIds, after }) {
      const mine = perPrincipal.get(principal.subject) ?? 0;
      if (mine >= options.limits.perPrincipal) {
        throw new TooManyStreamsError(
          `At most ${options.limits.perPrincipal} open subscriptions per caller; close one first`,
        );
      }
      if (streams.size >= options.limits.max) {
        throw new TooManyStreamsError(
          'This replica has as many open subscriptions as it allows; try another later',
        );
      }
      perPrincipal.set(principal.subject, mine + 1);
      const stream: EventStream = new EventStream({
        feed,
        ledger: options.ledger,
        cashoutIds: cashoutIds ? new Set(cashoutIds) : null,
        after,
        ...(principal.expiresAt !== undefined && { expiresAt: principal.expiresAt }),
        onClose() {
          streams.delete(stream);
          const left = (perPrincipal.get(principal.subject) ?? 1) - 1;
          if (left > 0) perPrincipal.set(principal.subject, left);
          else perPrincipal.delete(principal.subject);
        },
      });
      streams.add(stream);
      return stream;
    },
    openStreams: () => streams.size,
    close() {
      stopCommits();
      for (const stream of streams) stream.end('SHUTTING_DOWN');
      feed.close();
    },
  };
}
