import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisConnections } from '../redis.js';

/**
 * "Look": some replica committed ledger events up to `upTo` about these cashouts. It carries no event: every
 * replica reads the events from the ledger, so a signal that is lost costs a delay (until the next signal or the
 * feed's periodic check), never an event.
 */
export interface CommitSignal {
  upTo: string;
  cashoutIds: string[];
}

export type LiveTopics = { 'ledger-committed': [signal: CommitSignal] };
export type LivePubSub = PubSub<LiveTopics>;

/** The one PubSub of a replica: in process without Redis; with it, every replica's signals reach every replica. */
export function createLivePubSub(redis: RedisConnections | null, logger: Logger): LivePubSub {
  if (!redis) return createPubSub<LiveTopics>();
  return createPubSub<LiveTopics>({
    eventTarget: createRedisEventTarget({
      publishClient: namespaced(redis.commands, redis.prefix, logger),
      subscribeClient: namespaced(redis.subscriber, redis.prefix, logger),
    }),
  });
}

/**
 * The event target's view of a connection: channels under the service's prefix, and failures logged instead of
 * rejected (the event target does not await them; an unhandled rejection would stop the process).
 */
function namespaced(connection: Redis, prefix: string, logger: Logger): Redis {
  const failed = (what: string) => (error: Error) =>
    logger.debug({ err: { name: error.name } }, `Redis ${what} failed`);
  const view = {
    publish: (channel: string, message: string) =>
      connection.publish(prefix + channel, message).catch(failed('PUBLISH')),
    subscribe: (channel: string) => connection.subscribe(prefix + channel).catch(failed('SUBSCRIBE')),
    unsubscribe: (channel: string) => connection.unsubscribe(prefix + channel).catch(failed('UNSUBSCRIBE')),
    on(event: 'message', listener: (channel: string, message: string) => void) {
      connection.on(event, (channel: string, message: string) => {
        if (channel.startsWith(prefix)) listener(channel.slice(prefix.length), message);
      });
      return view;
    },
  };
  return view as unknown as Redis;
}
