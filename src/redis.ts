import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The service's two Redis connections: `commands` (the rate limit's script, PUBLISH) fails fast while Redis is away,
 * so a caller falls back instead of queueing; `subscriber` (SUBSCRIBE) waits and resubscribes on reconnect.
 * Every key and channel starts with `prefix`, so replicas of one service share them and nothing else does.
 */
export interface RedisConnections {
  commands: Redis;
  subscriber: Redis;
  prefix: string;
  /** Resolves once both are connected, or after `timeoutMs` (the service starts anyway and degrades). */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function connectRedis(url: string, prefix: string, logger: Logger): RedisConnections {
  // Loaded only when REDIS_URL is set: a replica without Redis does not pay ioredis's ~9 ms at every cold start.
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const common = { connectionName: 'd24-cashout-graphql', connectTimeout: 2_000, lazyConnect: false };
  const commands = new Redis(url, {
    ...common,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 1_000,
  });
  const subscriber = new Redis(url, { ...common, maxRetriesPerRequest: null, autoResubscribe: true });
  for (const [role, connection] of [
    ['commands', commands],
    ['subscriber', subscriber],
  ] as const) {
    let down = false;
    // ioredis emits 'error' on every failed reconnect; log a change of state, not each attempt.
    connection.on('error', (error: Error) => {
      if (down) return;
      down = true;
      logger.warn(
        { role, err: { name: error.name, code: (error as { code?: string }).code } },
        'Redis unreachable',
      );
    });
    connection.on('ready', () => {
      if (down) logger.info({ role }, 'Redis reachable again');
      down = false;
    });
  }
  const readyOf = (connection: Redis) =>
    connection.status === 'ready'
      ? Promise.resolve()
      : new Promise<void>((resolve) => connection.once('ready', () => resolve()));
  return {
    commands,
    subscriber,
    prefix,
    async ready(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const both = Promise.all([readyOf(commands), readyOf(subscriber)]).then(() => true);
      const result = await Promise.race([both, timeout]);
      clearTimeout(timer);
      return result;
    },
    async close() {
      await Promise.all(
        [commands, subscriber].map((connection) => connection.quit().catch(() => connection.disconnect())),
      );
    },
  };
}
