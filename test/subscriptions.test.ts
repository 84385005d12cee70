import { setImmediate } from 'node:timers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../src/ledger/types.js';
import { BATCH } from '../src/live/feed.js';
import {
  eventIds,
  hasEvents,
  holdEvent,
  type Result,
  type Subscriber,
  sseSubscribe,
  wsClient,
  wsSubscribe,
} from './support/live.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

const record = async (cashoutId: string) =>
  (await service.ledger.record(holdEvent(cashoutId))) as LedgerEvent;
const untilOpen = async (n: number) => {
  while (service.live.openStreams() !== n) await new Promise((resolve) => setTimeout(resolve, 10));
};
const typename = (r: Result) => r.data?.cashoutEvents?.__typename;

describe('Subscription.cashoutEvents over SSE', () => {
  it('delivers every new ledger event, in commit order', async () => {
    const subscriber = await sseSubscribe(service.url);
    expect(subscriber.status).toBe(200);
    await untilOpen(1);
    const written = [await record('1001'), await record('1002'), await record('1001')];
    const results = await subscriber.until(hasEvents(3));
    expect(eventIds(results)).toEqual(written.map((e) => e.id));
    expect(results[0]?.data?.cashoutEvents).toMatchObject({ cashoutId: '1001', action: 'HOLD' });
    subscriber.close();
    await untilOpen(0);
  });

  it("with cashoutIds, only those cashouts' events", async () => {
    const subscriber = await sseSubscribe(service.url, { cashoutIds: ['1003', '1004'] });
    await untilOpen(1);
    const written = [];
    for (const id of ['1001', '1003', '1005', '1004', '1003']) written.push(await record(id));
    const results = await subscriber.until(hasEvents(3));
    expect(eventIds(results)).toEqual(
      written.filter((e) => e.cashoutId !== '1001' && e.cashoutId !== '1005').map((e) => e.id),
    );
    subscriber.close();
    await untilOpen(0);
  });

  it('with after, replays what followed it from the ledger, then goes live', async () => {
    const before = await record('1006');
    const missed = [await record('1006'), await record('1007')];
    const subscriber = await sseSubscribe(service.url, { after: before.id });
    await subscriber.until(hasEvents(2));
    const live = await record('1006');
    const results = await subscriber.until(hasEvents(3));
    expect(eventIds(results)).toEqual([...missed, live].map((e) => e.id));
    subscriber.close();
    await untilOpen(0);
  });

  it('answers an unknown after, or bad cashoutIds, with a ValidationError and ends the stream', async () => {
    for (const [variables, path] of [
      [{ after: '999999999' }, ['after']],
      [{ after: 'abc' }, ['after']],
      [{ cashoutIds: ['0'] }, ['cashoutIds', '0']],
      [{ cashoutIds: [] }, ['cashoutIds']],
      [{ cashoutIds: ['1001', '1001'] }, ['cashoutIds']],
    ] as const) {
      const subscriber = await sseSubscribe(service.url, variables);
      await subscriber.done;
      expect(subscriber.results).toHaveLength(1);
      expect(subscriber.results[0]?.data?.cashoutEvents).toMatchObject({
        __typename: 'ValidationError',
        issues: [{ path }],
      });
    }
    expect(service.live.openStreams()).toBe(0);
  });

  it('sends keep-alive pings while idle', async () => {
    const subscriber = await sseSubscribe(service.url);
    const initial = subscriber.pings;
    // NODE_ENV=test: Yoga pings every 300 ms (12 s otherwise).
    while (subscriber.pings < initial + 2) await new Promise((resolve) => setTimeout(resolve, 50));
    subscriber.close();
    await untilOpen(0);
  });

  it('is never taken by the hot path, however often the same document comes', async () => {
    const servedBefore = service.app.hotPath.served();
    for (let i = 0; i < 3; i++) {
      const subscriber = await sseSubscribe(service.url, { cashoutIds: ['1009'] });
      expect(subscriber.status).toBe(200);
      await untilOpen(1);
      const event = await record('1009');
      expect(eventIds(await subscriber.until(hasEvents(1)))).toEqual([event.id]);
      subscriber.close();
      await untilOpen(0);
    }
    // A JSON POST asking for JSON is Yoga's too, refused (406) before any stream opens.
    for (let i = 0; i < 2; i++) {
      const asJson = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: 'subscription { cashoutEvents { __typename } }' }),
      });
      expect(asJson.status).toBe(406);
    }
    expect(service.app.hotPath.served()).toBe(servedBefore);
    expect(service.live.openStreams()).toBe(0);
  });
});

describe('the replay-to-live handover under concurrent writes', () => {
  it('gives every subscriber, whenever it joins, each event after its `after` exactly once, in order', async () => {
    // More than one replay page behind, then writes that go on while subscribers join and replay.
    const start = await record('1001');
    for (let i = 0; i < BATCH + 50; i++) void service.ledger.record(holdEvent(String(1001 + (i % 9))));
    let writing = true;
    const writer = (async () => {
      let i = 0;
      while (writing) {
        await service.ledger.record(holdEvent(String(1001 + (i++ % 9))));
        // In-memory SQLite commits without I/O: let the server's sockets in between.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const subscribers: { after: string; filter: string[] | null; subscriber: Subscriber }[] = [];
    let after = start.id;
    for (let i = 0; i < 6; i++) {
      const filter = i % 2 ? ['1002', '1005'] : null;
      subscribers.push({
        after,
        filter,
        subscriber: await sseSubscribe(service.url, { after, cashoutIds: filter }),
      });
      after = (await record('1003')).id;
    }
    await untilOpen(6);
    writing = false;
    await writer;
    const last = await record('1004');
    const all = await service.ledger.eventsAfter(start.id, { limit: 100_000 });
    expect(all.at(-1)?.id).toBe(last.id);
    for (const { after: from, filter, subscriber } of subscribers) {
      const expected = all
        .filter((e) => BigInt(e.id) > BigInt(from) && (!filter || filter.includes(e.cashoutId)))
        .map((e) => e.id);
      const results = await subscriber.until((r) => eventIds(r).length >= expected.length);
      expect(eventIds(results)).toEqual(expected);
      subscriber.close();
    }
    await untilOpen(0);
  });
});

describe('Subscription.cashoutEvents over WebSocket (graphql-transport-ws)', () => {
  it('delivers events on /graphql of the same port', async () => {
    const { client } = wsClient(service.url);
    const subscriber = wsSubscribe(client, { cashoutIds: ['1008'] });
    await untilOpen(1);
    const event = await record('1008');
    expect(eventIds(await subscriber.until(hasEvents(1)))).toEqual([event.id]);
    subscriber.close();
    await untilOpen(0);
    await client.dispose();
  });

  it('runs only subscriptions: a query or mutation is an error that points at HTTP', async () => {
    const { client } = wsClient(service.url);
    const errors: unknown[] = [];
    await new Promise<void>((resolve) =>
      client.subscribe(
        { query: '{ cashout(cashoutId: "1001") { __typename } }' },
        {
          next: () => {},
          error: (e) => {
            errors.push(e);
            resolve();
          },
          complete: resolve,
        },
      ),
    );
    expect(JSON.stringify(errors)).toContain('Only subscriptions over WebSocket');
    await client.dispose();
  });
});

describe('shutdown', () => {
  it('ends every stream, SSE and WebSocket, telling each client where to resume, and drains', async () => {
    const own = await startTestService();
    const sse = await sseSubscribe(own.url);
    const { client, closes } = wsClient(own.url);
    const ws = wsSubscribe(client);
    while (own.live.openStreams() !== 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const event = (await own.ledger.record(holdEvent('1001'))) as LedgerEvent;
    await Promise.all([sse.until(hasEvents(1)), ws.until(hasEvents(1))]);
    const report = await own.close();
    expect(report).toEqual({ completed: true, abandoned: 0 });
    await Promise.all([sse.done, ws.done]);
    expect(sse.results.at(-1)?.errors?.[0]?.extensions).toMatchObject({
      code: 'SHUTTING_DOWN',
      lastId: event.id,
    });
    expect(typename(sse.results[0] as Result)).toBe('CashoutEvent');
    expect(closes.at(-1)?.code).toBe(1001);
  });
});
