import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MemoryRateLimitStore, type RateLimitDecision, type RateLimitStore } from './rate-limit.js';

// The memory store's token bucket, run atomically inside Redis: read, refill, take, write, in one step per key.
// `at` never moves back, so a replica whose clock is behind refills nothing instead of refilling twice.
const TAKE = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local rate = limit / window
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = limit; at = now end
tokens = math.min(limit, tokens + math.max(0, now - at) * rate)
local need = math.min(cost, limit)
local allowed = 0
local retry = 0
if tokens >= need then
  tokens = tokens - need
  allowed = 1
else
  retry = math.ceil((need - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(now, at)))
redis.call('PEXPIRE', KEYS[1], window)
return {allowed, retry}
`;

type WithTake = Redis & { rateLimitTake(key: string, ...args: number[]): Promise<[number, number]> };

/**
 * One budget per principal for every replica that shares the Redis: the memory store's token bucket as one Lua
 * script. While Redis cannot answer, each replica falls back to its own memory store (the limit then holds per
 * replica) rather than refusing every mutation or letting every one through; it says so once per outage.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly redis: WithTake;
  private readonly fallback: MemoryRateLimitStore;
  private readonly limit: number;
  private readonly windowMs: number;
  private degraded = false;

  constructor(
    private readonly options: {
      redis: Redis;
      prefix: string;
      limit: number;
      windowMs?: number;
      logger: Logger;
    },
  ) {
    this.limit = options.limit;
    this.windowMs = options.windowMs ?? 60_000;
    this.fallback = new MemoryRateLimitStore({ limit: this.limit, windowMs: this.windowMs });
    if (!('rateLimitTake' in options.redis))
      options.redis.defineCommand('rateLimitTake', { numberOfKeys: 1, lua: TAKE });
    this.redis = options.redis as WithTake;
  }

  async take(key: string, cost: number, now: number): Promise<RateLimitDecision> {
    try {
      const [allowed, retryAfterMs] = await this.redis.rateLimitTake(
        `${this.options.prefix}rate-limit:${key}`,
        this.limit,
        this.windowMs,
        cost,
        Math.floor(now),
      );
      if (this.degraded) {
        this.degraded = false;
        this.options.logger.info('Rate limit: back on the shared Redis budget');
      }
      return { allowed: allowed === 1, retryAfterMs };
    } catch (error) {
      if (!this.degraded) {
        this.degraded = true;
        this.options.logger.warn(
          { err: { name: (error as Error).name } },
          'Rate limit: Redis unavailable, counting per replica until it is back',
        );
      }
      return this.fallback.take(key, cost, now);
    }
  }
}
