import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../src/ledger/types.js';
import { eventIds, hasEvents, holdEvent, sseSubscribe } from './support/live.js';
import { createTestSchema, postgresAvailable, type TestSchema } from './support/postgres.js';
import { dropKeys, testRedisUrl, uniquePrefix } from './support/redis.js';
import { startTestService, type TestService } from './support/service.js';

// Redis only says "look": here the two services' signals never meet (each its own prefix), as if every Redis
// message were lost, and the periodic read of the shared ledger still brings B every event A commits.
const redisUrl = await testRedisUrl();
const postgres = await postgresAvailable();
const prefixes = [uniquePrefix(), uniquePrefix()];
let schema: TestSchema;
let a: TestService;
let b: TestService;

beforeAll(async () => {
  if (!redisUrl || !postgres) return;
  schema = await createTestSchema('signals');
  const env = (prefix: string) => ({
    DATABASE_URL: schema.url,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    LIVE_POLL_MS: '200',
  });
  a = await startTestService(env(prefixes[0] as string));
  b = await startTestService(env(prefixes[1] as string));
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await schema?.drop();
  if (redisUrl) for (const prefix of prefixes) await dropKeys(redisUrl, prefix);
});

describe.skipIf(!redisUrl || !postgres)('without any Redis signal', () => {
  it("B's subscriber still gets every event A commits, in order, from the periodic read", async () => {
    const subscriber = await sseSubscribe(b.url, { cashoutIds: ['1001', '1002'] });
    const written: LedgerEvent[] = [];
    for (const id of ['1001', '1003', '1002', '1001'])
      written.push((await a.ledger.record(holdEvent(id))) as LedgerEvent);
    const expected = written.filter((e) => e.cashoutId !== '1003').map((e) => e.id);
    expect(eventIds(await subscriber.until(hasEvents(expected.length)))).toEqual(expected);
    subscriber.close();
  });
});
