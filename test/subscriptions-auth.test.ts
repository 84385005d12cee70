import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../src/ledger/types.js';
import { until } from './support/http.js';
import { eventIds, hasEvents, holdEvent, sseSubscribe, wsClient, wsSubscribe } from './support/live.js';
import { startTestService, type TestService } from './support/service.js';
import { bearer, hs256Token, TEST_SECRET } from './support/tokens.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ AUTH_JWT_SECRET: TEST_SECRET, SUBSCRIPTIONS_PER_PRINCIPAL: '2' });
});
afterAll(() => service.close());

const token = (scope = 'cashouts:read', expiresIn = 300, sub = 'alice') =>
  hs256Token({ claims: { sub, scope }, expiresIn });
const untilOpen = async (n: number) => {
  while (service.live.openStreams() !== n) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('subscriptions: authentication and scopes', () => {
  it('over SSE: no token is 401, a token without cashouts:read is FORBIDDEN, and no stream opens', async () => {
    const none = await sseSubscribe(service.url);
    expect(none.status).toBe(401);
    await none.done;
    expect(none.results[0]?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const holdOnly = await sseSubscribe(service.url, {}, bearer(await token('cashouts:hold')));
    await holdOnly.done;
    expect(holdOnly.results).toHaveLength(1);
    expect(holdOnly.results[0]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(service.live.openStreams()).toBe(0);
  });

  it('over WebSocket: no or a bad token closes with 4401, a missing scope is FORBIDDEN', async () => {
    for (const authorization of [
      undefined,
      'Bearer not.a.jwt',
      `Bearer ${await token('cashouts:read', -120)}`,
    ]) {
      const { client, closes } = wsClient(service.url, authorization);
      const subscriber = wsSubscribe(client);
      await subscriber.done;
      expect(closes.at(-1)?.code, String(authorization)).toBe(4401);
      await client.dispose();
    }
    const { client } = wsClient(service.url, `Bearer ${await token('cashouts:hold')}`);
    const subscriber = wsSubscribe(client);
    const errors: unknown[] = [];
    await new Promise<void>((resolve) =>
      client.subscribe(
        { query: 'subscription { cashoutEvents { __typename } }' },
        {
          next: (result) => errors.push(result.errors),
          error: (error) => {
            errors.push(error);
            resolve();
          },
          complete: resolve,
        },
      ),
    );
    expect(JSON.stringify(errors)).toContain('FORBIDDEN');
    subscriber.close();
    await client.dispose();
  });

  it('ends the stream when the token expires, saying so and where to resume (SSE and WebSocket)', async () => {
    const short = await token('cashouts:read', 3, 'bob');
    const sse = await sseSubscribe(service.url, {}, bearer(short));
    const { client, closes } = wsClient(service.url, `Bearer ${short}`);
    const ws = wsSubscribe(client);
    await untilOpen(2);
    const event = (await service.ledger.record(holdEvent('1001'))) as LedgerEvent;
    await Promise.all([sse.until(hasEvents(1)), ws.until(hasEvents(1))]);
    await Promise.all([sse.done, ws.done]);
    expect(eventIds(sse.results)).toEqual([event.id]);
    expect(sse.results.at(-1)?.errors?.[0]?.extensions).toMatchObject({
      code: 'TOKEN_EXPIRED',
      lastId: event.id,
    });
    // The socket closes with 4403, which a graphql-ws client retries with fresh connectionParams. graphql-ws may end
    // the subscription before it reports the socket's close.
    await until(() => closes.length > 0);
    expect(closes.at(-1)?.code).toBe(4403);
    await untilOpen(0);
    await client.dispose();
  });
});

describe('subscriptions: bounds', () => {
  it('refuses a principal more than SUBSCRIPTIONS_PER_PRINCIPAL streams, and frees a slot when one closes', async () => {
    const headers = bearer(await token('cashouts:read', 300, 'carol'));
    const first = await sseSubscribe(service.url, {}, headers);
    const second = await sseSubscribe(service.url, {}, headers);
    await untilOpen(2);
    const third = await sseSubscribe(service.url, {}, headers);
    await third.done;
    expect(third.results[0]?.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    // Another principal is not affected.
    const other = await sseSubscribe(service.url, {}, bearer(await token('cashouts:read', 300, 'dave')));
    await untilOpen(3);
    first.close();
    await untilOpen(2);
    const again = await sseSubscribe(service.url, {}, headers);
    await untilOpen(3);
    for (const subscriber of [second, other, again]) subscriber.close();
    await untilOpen(0);
  });
});
