import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ledger, openLedger } from '../src/ledger/index.js';
import { type Sandbox, startSandbox } from '../src/sandbox/index.js';
import { postGraphQL } from './support/http.js';
import { eventIds, hasEvents, type Subscriber, sseSubscribe } from './support/live.js';
import { createTestSchema, postgresAvailable, type TestSchema } from './support/postgres.js';
import { dropKeys, testRedisUrl, uniquePrefix } from './support/redis.js';
import { type Replica, replicaEnv, startReplica } from './support/replica.js';
import { bearer, hs256Token } from './support/tokens.js';

// Two service processes sharing one PostgreSQL schema, one Redis prefix and one D24 (the sandbox, here).
const redisUrl = await testRedisUrl();
const postgres = await postgresAvailable();
const prefix = uniquePrefix();
let schema: TestSchema;
let sandbox: Sandbox;
let ledger: Ledger;
let a: Replica;
let b: Replica;
let env: Record<string, string>;

// Low, so the bucket refills slowly (5 units take 15 s) next to the few requests that spend it.
const RATE_LIMIT = 20;
const reader = async (sub = 'watcher') =>
  bearer(await hs256Token({ claims: { sub, scope: 'cashouts:read' } }));
const operator = async (sub: string) =>
  bearer(await hs256Token({ claims: { sub, scope: 'cashouts:read cashouts:hold cashouts:release' } }));

const graphql = (replica: Replica, query: string, headers: Record<string, string>) =>
  // biome-ignore lint/suspicious/noExplicitAny: the assertions read the answers' shape.
  postGraphQL<{ data?: any; errors?: unknown[] }>(replica.url, { query }, headers);
const hold = (id: string) => `mutation { holdCashout(input: { cashoutId: "${id}" }) { __typename } }`;
const release = (id: string) => `mutation { releaseCashout(input: { cashoutId: "${id}" }) { __typename } }`;
const newCashout = () => String(sandbox.create({}).cashoutId);

beforeAll(async () => {
  if (!redisUrl || !postgres) return;
  schema = await createTestSchema('replicas');
  sandbox = await startSandbox();
  ledger = await openLedger({
    target: { kind: 'postgres', url: schema.url },
    logger: pino({ level: 'silent' }),
  });
  env = {
    ...replicaEnv(sandbox, { databaseUrl: schema.url, redisUrl, prefix }),
    RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    // Far longer than any wait here: what arrives promptly came through Redis, not the periodic check.
    LIVE_POLL_MS: '600000',
  };
  [a, b] = await Promise.all([startReplica('A', env), startReplica('B', env)]);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await ledger?.close();
  await sandbox?.close();
  await schema?.drop();
  if (redisUrl) await dropKeys(redisUrl, prefix);
});

describe.skipIf(!redisUrl || !postgres)('two replicas on one PostgreSQL and one Redis', () => {
  it("a notification posted to A reaches B's subscriber, through Redis", async () => {
    const id = newCashout();
    sandbox.notifications.url = `${a.url}/d24/notifications`;
    const subscriber = await sseSubscribe(b.url, { cashoutIds: [id] }, await reader());
    expect(subscriber.status).toBe(200);
    const started = Date.now();
    sandbox.advance(Number(id), 'DELIVERED');
    const results = await subscriber.until(hasEvents(1));
    console.log(`A's notification reached B's subscriber after ${Date.now() - started} ms`);
    expect(results[0]?.data?.cashoutEvents).toMatchObject({ cashoutId: id, action: 'NOTIFICATION' });
    subscriber.close();
  });

  it("a mutation on A reaches B's subscriber, through Redis", async () => {
    const id = newCashout();
    const subscriber = await sseSubscribe(b.url, { cashoutIds: [id] }, await reader());
    expect(subscriber.status).toBe(200);
    // B answers once its feed hands the stream every new event: from here on nothing can be missed.
    const started = Date.now();
    expect((await graphql(a, hold(id), await operator('op-a'))).body.data.holdCashout.__typename).toBe(
      'HoldCashoutSuccess',
    );
    const results = await subscriber.until(hasEvents(1));
    console.log(`A's hold reached B's subscriber after ${Date.now() - started} ms`);
    const [event] = await ledger.eventsAfter(null, { cashoutIds: [id], limit: 10 });
    expect(eventIds(results)).toEqual([event?.id]);
    subscriber.close();
  });

  it("a hold on B is in A's history at once", async () => {
    const id = newCashout();
    await graphql(b, hold(id), await operator('op-b'));
    const { body } = await graphql(
      a,
      `{ cashout(cashoutId: "${id}") { ... on Cashout { status history { edges { node { action actor } } } } } }`,
      await reader(),
    );
    expect(body.data.cashout.history.edges[0].node).toEqual({ action: 'HOLD', actor: 'op-b' });
  });

  it('the rate limit is one budget', async () => {
    const headers = await operator('op-budget');
    const id = newCashout();
    // Five aliased mutations cost five; alternate replicas until the budget is spent.
    const five = `mutation { ${[1, 2, 3, 4, 5].map((n) => `h${n}: holdCashout(input: { cashoutId: "${id}" }) { __typename }`).join(' ')} }`;
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT / 5; i++)
      statuses.push((await graphql(i % 2 ? b : a, five, headers)).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const [onA, onB] = [await graphql(a, five, headers), await graphql(b, five, headers)];
    expect([onA.status, onB.status]).toEqual([429, 429]);
  });

  it('a subscriber whose replica is killed resumes on the other with `after`: every event once, in order', async () => {
    const ids = Array.from({ length: 6 }, newCashout);
    // D24 notifies B (A is about to die); A's subscriber sees them through Redis.
    sandbox.notifications.url = `${b.url}/d24/notifications`;
    const before = await ledger.eventsAfter(null, { limit: 100_000 });
    const start = before.at(-1)?.id ?? null;
    expect(start).not.toBeNull();
    const headers = await reader('resumer');
    let subscriber: Subscriber = await sseSubscribe(a.url, { after: start }, headers);
    // A steady load on both replicas (A's calls fail once it is dead), each from a principal of its own (the rate limit is not under test here).
    let loading = true;
    const load = (async () => {
      let n = 0;
      while (loading) {
        const id = ids[n % ids.length] as string;
        const target = n % 3 === 0 ? a : b;
        const query = Math.floor(n / ids.length) % 2 ? release(id) : hold(id);
        await graphql(target, query, await operator(`load-${n}`)).catch(() => {});
        // Every fourth turn D24 moves a cashout of its own, and notifies.
        if (n % 4 === 0) sandbox.advance(Number(newCashout()), 'DELIVERED');
        n++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await subscriber.until(hasEvents(10));
    await a.kill();
    await subscriber.done;
    const received = eventIds(subscriber.results);
    subscriber = await sseSubscribe(b.url, { after: received.at(-1) }, headers);
    await subscriber.until(hasEvents(20));
    loading = false;
    await load;
    await sandbox.notifications.settled();
    const all = (await ledger.eventsAfter(start, { limit: 100_000 })).map((event) => event.id);
    const resumed = await subscriber.until(
      (results) => received.length + eventIds(results).length >= all.length,
    );
    expect([...received, ...eventIds(resumed)]).toEqual(all);
    subscriber.close();
    // For the next tests in this file, a replica A again.
    a = await startReplica('A', env);
  }, 60_000);
});
