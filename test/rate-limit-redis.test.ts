import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimitStore } from '../src/server/security/rate-limit-redis.js';
import { freePort } from './support/http.js';
import { captureLogs } from './support/logs.js';
import { dropKeys, testRedisUrl, uniquePrefix } from './support/redis.js';
import { startTestService, type TestService } from './support/service.js';
import { bearer, hs256Token, TEST_SECRET } from './support/tokens.js';

const url = await testRedisUrl();
const prefix = uniquePrefix();
const silent = pino({ level: 'silent' });
const connections: Redis[] = [];
const connect = (to = url as string) => {
  const redis = new Redis(to, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: to !== url,
  });
  connections.push(redis);
  return redis;
};
const ready = (redis: Redis) =>
  new Promise((resolve) => (redis.status === 'ready' ? resolve(null) : redis.once('ready', resolve)));

afterAll(async () => {
  for (const redis of connections) redis.disconnect();
  if (url) await dropKeys(url, prefix);
});

describe.skipIf(!url)('the rate limit on Redis', () => {
  it('is one budget for stores on separate connections, taken atomically under concurrency', async () => {
    const [a, b] = [connect(), connect()];
    await Promise.all([ready(a), ready(b)]);
    const stores = [a, b].map(
      (redis) => new RedisRateLimitStore({ redis, prefix, limit: 10, logger: silent }),
    );
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (stores[i % 2] as RedisRateLimitStore).take('alice', 1, 1_000)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    // Another principal has its own budget.
    expect((await (stores[1] as RedisRateLimitStore).take('bob', 10, 1_000)).allowed).toBe(true);
  });

  it('refills evenly over the window, says when to retry, and expires an idle bucket', async () => {
    const redis = connect();
    await ready(redis);
    const store = new RedisRateLimitStore({ redis, prefix, limit: 10, windowMs: 60_000, logger: silent });
    expect((await store.take('carol', 10, 0)).allowed).toBe(true);
    expect(await store.take('carol', 1, 0)).toEqual({ allowed: false, retryAfterMs: 6_000 });
    expect(await store.take('carol', 1, 3_000)).toEqual({ allowed: false, retryAfterMs: 3_000 });
    expect((await store.take('carol', 1, 6_000)).allowed).toBe(true);
    // A clock that steps back refills nothing.
    expect((await store.take('carol', 1, 1_000)).allowed).toBe(false);
    const ttl = await redis.pttl(`${prefix}rate-limit:carol`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('counts per replica while Redis is unreachable, says so once, and never throws', async () => {
    const logs = captureLogs();
    const down = connect(`redis://127.0.0.1:${await freePort()}`);
    down.on('error', () => {});
    const store = new RedisRateLimitStore({ redis: down, prefix, limit: 2, logger: logs.logger });
    const decisions = await Promise.all([1, 2, 3].map(() => store.take('dave', 1, 0)));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(logs.lines().filter((l) => /Redis unavailable/.test(String(l.msg)))).toHaveLength(1);
  });
});

describe.skipIf(!url)('two services sharing a Redis', () => {
  let a: TestService;
  let b: TestService;
  beforeAll(async () => {
    const env = {
      REDIS_URL: url as string,
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_PER_MINUTE: '3',
      AUTH_JWT_SECRET: TEST_SECRET,
    };
    [a, b] = await Promise.all([startTestService(env), startTestService(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('draw on one mutation budget per principal', async () => {
    const headers = bearer(
      await hs256Token({ claims: { sub: 'erin', scope: 'cashouts:hold cashouts:release' } }),
    );
    const hold = 'mutation { holdCashout(input: { cashoutId: "1003" }) { __typename } }';
    const release = 'mutation { releaseCashout(input: { cashoutId: "1003" }) { __typename } }';
    // The same documents twice on each, so the second of each runs on the hot path, which shares the store.
    const statuses = [];
    for (const [service, query] of [
      [a, hold],
      [b, release],
      [a, hold],
    ] as const) {
      statuses.push((await service.graphql(query, undefined, headers)).status);
    }
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await b.graphql(release, undefined, headers);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});
