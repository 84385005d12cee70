import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * The Redis for tests: TEST_REDIS_URL, by default the local server. Null (the test skips, saying which variable
 * to set) when it does not answer, except under CI=true, where an unreachable Redis fails the run.
 */
export async function testRedisUrl(): Promise<string | null> {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await probe.connect();
    await probe.ping();
    return url;
  } catch (error) {
    if (process.env.CI === 'true')
      throw new Error(`Redis at TEST_REDIS_URL (${url}) is unreachable under CI=true`);
    console.warn(`Redis tests skipped: no Redis at ${url}; set TEST_REDIS_URL (${(error as Error).message})`);
    return null;
  } finally {
    probe.disconnect();
  }
}

/** A key and channel prefix no other test run uses; `dropKeys` removes what it wrote. */
export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}:`;
}

export async function dropKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
