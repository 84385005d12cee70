import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDocument } from '../src/server/http/examples.js';
import { sseSubscribe } from './support/live.js';
import { startTcpProxy, type TcpProxy } from './support/net.js';
import { createTestSchema, postgresAvailable, type TestSchema } from './support/postgres.js';
import { startTestService, type TestService } from './support/service.js';
import { bearer, hs256Token, TEST_SECRET } from './support/tokens.js';

// docs/contract.md "Reasons, history and listing (the ledger)", row by row, over HTTP with real tokens.
const ALL = 'cashouts:read cashouts:hold cashouts:release cashouts:cancel';
const token = (sub: string, scope = ALL) => hs256Token({ claims: { sub, scope } }).then(bearer);

const HISTORY = exampleDocument('cashoutHistory');
const ON_HOLD = exampleDocument('cashouts');
const HOLD = exampleDocument('holdCashout');
const RELEASE = exampleDocument('releaseCashout');
const CANCEL = exampleDocument('cancelCashout');
const LOOKUP = exampleDocument('cashout');

interface Event {
  action: string;
  actor: string | null;
  reason: string | null;
  resultType: string;
  outcome: string | null;
  d24Code: number | null;
  changed: boolean;
  previousStatus: string | null;
  requestId: string | null;
  cashout: { status: string } | null;
}

let service: TestService;
let alice: Record<string, string>;
let bob: Record<string, string>;
beforeAll(async () => {
  service = await startTestService({ AUTH_JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '1000' });
  [alice, bob] = [await token('alice'), await token('bob')];
});
afterAll(() => service.close());

async function history(cashoutId: number | string, headers = alice, first = 20) {
  const { body } = await service.graphql<{ cashout: { history: { edges: { node: Event }[] } } }>(
    HISTORY,
    { cashoutId: String(cashoutId), first },
    headers,
  );
  expect(body.errors).toBeUndefined();
  return body.data?.cashout.history.edges.map((edge) => edge.node) ?? [];
}

const mutate = (query: string, input: Record<string, unknown>, headers = alice, requestId?: string) =>
  service.graphql(query, { input }, { ...headers, ...(requestId && { 'x-request-id': requestId }) });

describe('reason, hold and history', () => {
  it('keeps who held a cashout, why and since when; the history shows every step, newest first', async () => {
    const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
    const held = await mutate(
      HOLD,
      { cashoutId: `${cashoutId}`, reason: 'KYC on the beneficiary\nticket 42' },
      alice,
      'req-hold',
    );
    expect(held.body.data).toMatchObject({
      holdCashout: { __typename: 'HoldCashoutSuccess', changed: true },
    });
    const { body } = await service.graphql<{ cashout: Record<string, unknown> }>(
      HISTORY,
      { cashoutId: `${cashoutId}` },
      bob,
    );
    expect(body.data?.cashout).toMatchObject({
      __typename: 'Cashout',
      status: 'ON_HOLD',
      hold: { by: 'alice', reason: 'KYC on the beneficiary\nticket 42', since: expect.stringMatching(/Z$/) },
      updatedAt: (body.data as { cashout: { hold: { since: string } } }).cashout.hold.since,
    });
    await mutate(RELEASE, { cashoutId: `${cashoutId}`, reason: 'KYC passed' }, bob, 'req-release');
    const events = await history(cashoutId);
    expect(events).toMatchObject([
      {
        action: 'RELEASE',
        actor: 'bob',
        reason: 'KYC passed',
        resultType: 'ReleaseCashoutSuccess',
        changed: true,
        previousStatus: 'ON_HOLD',
        requestId: 'req-release',
        cashout: { status: 'PENDING' },
      },
      {
        action: 'HOLD',
        actor: 'alice',
        reason: 'KYC on the beneficiary\nticket 42',
        resultType: 'HoldCashoutSuccess',
        changed: true,
        previousStatus: null,
        requestId: 'req-hold',
        cashout: { status: 'ON_HOLD' },
      },
    ]);
    const after = await service.graphql<{ cashout: { hold: unknown } }>(
      HISTORY,
      { cashoutId: `${cashoutId}` },
      alice,
    );
    expect(after.body.data?.cashout.hold).toBeNull();
  });

  it('records a safe replay as changed: false, and the cancel with its reason', async () => {
    const { cashoutId, externalId } = service.sandbox.create({ status: 'ON_HOLD' });
    await mutate(HOLD, { cashoutId: `${cashoutId}` });
    await mutate(CANCEL, { cashoutId: `${cashoutId}`, externalId, reason: 'merchant asked' });
    expect(await history(cashoutId)).toMatchObject([
      {
        action: 'CANCEL',
        reason: 'merchant asked',
        resultType: 'CancelCashoutSuccess',
        changed: true,
        previousStatus: 'ON_HOLD',
      },
      {
        action: 'HOLD',
        reason: null,
        resultType: 'HoldCashoutSuccess',
        changed: false,
        previousStatus: null,
      },
    ]);
  });

  it('records every mutation that reached D24, whatever D24 answered', async () => {
    const refused = service.sandbox.create({ status: 'PENDING' }).cashoutId;
    service.sandbox.faults.forCashout(refused, { kind: 'code', code: 300 }, 1);
    await mutate(HOLD, { cashoutId: `${refused}`, reason: 'r1' });
    const lost = service.sandbox.create({ status: 'PENDING' }).cashoutId;
    service.sandbox.faults.forCashout(lost, { kind: 'reset' }, 1);
    await mutate(HOLD, { cashoutId: `${lost}`, reason: 'r2' });
    await mutate(RELEASE, { cashoutId: '31337', reason: 'r3' });
    const done = service.sandbox.create({ status: 'COMPLETED' }).cashoutId;
    await mutate(HOLD, { cashoutId: `${done}` });
    // The history query looks each cashout up first: a status the ledger did not know, so a LOOKUP comes first.
    const lookedUp = { action: 'LOOKUP', resultType: 'Cashout', changed: true };
    expect(await history(refused)).toMatchObject([
      lookedUp,
      {
        action: 'HOLD',
        reason: 'r1',
        resultType: 'D24RequestError',
        d24Code: 300,
        outcome: null,
        cashout: null,
        changed: false,
      },
    ]);
    expect(await history(lost)).toMatchObject([
      lookedUp,
      { resultType: 'D24UnavailableError', outcome: 'UNKNOWN', cashout: null },
    ]);
    expect(await history(done)).toMatchObject([
      lookedUp,
      { resultType: 'InvalidStatusTransitionError', d24Code: 510, cashout: null },
    ]);
    // D24 knows no 31337, so Query.cashout cannot show its history: the ledger has it.
    expect((await service.ledger.history('31337', { first: 5 })).items).toMatchObject([
      { action: 'RELEASE', reason: 'r3', resultType: 'CashoutNotFoundError', d24Code: 509, actor: 'alice' },
    ]);
  });

  it('writes nothing for a ValidationError or a refusal by scope or rate limit (those stay in the audit log)', async () => {
    const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
    const tooLong = await mutate(HOLD, { cashoutId: `${cashoutId}`, reason: 'x'.repeat(501) });
    expect(tooLong.body.data).toMatchObject({
      holdCashout: { __typename: 'ValidationError', issues: [{ path: ['input', 'reason'] }] },
    });
    for (const reason of ['', 'tab\there', 'bell\u0007']) {
      const { body } = await mutate(HOLD, { cashoutId: `${cashoutId}`, reason });
      expect(body.data).toMatchObject({ holdCashout: { __typename: 'ValidationError' } });
    }
    const forbidden = await mutate(
      HOLD,
      { cashoutId: `${cashoutId}` },
      await token('mallory', 'cashouts:read'),
    );
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const limited = await startTestService({ AUTH_JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '1' });
    try {
      const id = limited.sandbox.create({ status: 'PENDING' }).cashoutId;
      await limited.graphql(HOLD, { input: { cashoutId: `${id}` } }, alice);
      const refused = await limited.graphql(RELEASE, { input: { cashoutId: `${id}` } }, alice);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      const { body } = await limited.graphql<{ cashout: { history: { edges: { node: Event }[] } } }>(
        HISTORY,
        { cashoutId: `${id}` },
        alice,
      );
      expect(body.data?.cashout.history.edges.map((e) => e.node.action)).toEqual(['HOLD']);
    } finally {
      await limited.close();
    }
    expect(service.sandbox.requests.some((r) => r.rawBody.includes(`"cashout_id":${cashoutId}`))).toBe(false);
    // The history query looks the cashout up first: that look-up is the only event.
    expect(await history(cashoutId)).toMatchObject([{ action: 'LOOKUP' }]);
  });

  it('a look-up writes an event only when it shows a status the ledger did not have', async () => {
    const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
    for (let i = 0; i < 2; i++) await service.graphql(LOOKUP, { cashoutId: `${cashoutId}` }, bob);
    expect(await history(cashoutId)).toMatchObject([
      { action: 'LOOKUP', actor: 'bob', resultType: 'Cashout', changed: true, previousStatus: null },
    ]);
    service.sandbox.advance(cashoutId, 'DELIVERED');
    await service.graphql(LOOKUP, { cashoutId: `${cashoutId}` }, bob);
    expect(await history(cashoutId)).toMatchObject([
      { action: 'LOOKUP', changed: true, previousStatus: 'PENDING', cashout: { status: 'DELIVERED' } },
      { action: 'LOOKUP' },
    ]);
  });
});

describe('history and cashouts', () => {
  it('pages a history with first and after; first is 1 to 100', async () => {
    const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
    for (let i = 0; i < 3; i++) {
      await mutate(HOLD, { cashoutId: `${cashoutId}`, reason: `hold ${i}` });
      await mutate(RELEASE, { cashoutId: `${cashoutId}`, reason: `release ${i}` });
    }
    const reasons: string[] = [];
    let after: string | null = null;
    type Page = {
      edges: { cursor: string; node: Event }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    for (let page = 0; page < 10; page++) {
      const { body }: { body: { data?: { cashout: { history: Page } } } } = await service.graphql<{
        cashout: {
          history: {
            edges: { cursor: string; node: Event }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        };
      }>(HISTORY, { cashoutId: `${cashoutId}`, first: 4, after }, alice);
      const connection: Page | undefined = body.data?.cashout.history;
      reasons.push(...(connection?.edges.map((e) => e.node.reason as string) ?? []));
      expect(connection?.pageInfo.endCursor).toBe(connection?.edges.at(-1)?.cursor);
      if (!connection?.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(reasons).toEqual(['release 2', 'hold 2', 'release 1', 'hold 1', 'release 0', 'hold 0']);
    for (const first of [0, 101]) {
      const { body } = await service.graphql(HISTORY, { cashoutId: `${cashoutId}`, first }, alice);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const bad = await service.graphql(HISTORY, { cashoutId: `${cashoutId}`, after: 'nonsense' }, alice);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('lists what is on hold now, by whom and why, most recently changed first', async () => {
    const ids = [1, 2, 3].map(() => service.sandbox.create({ status: 'PENDING' }).cashoutId);
    for (const id of ids) await mutate(HOLD, { cashoutId: `${id}`, reason: `kyc ${id}` }, bob);
    await mutate(RELEASE, { cashoutId: `${ids[1]}` }, alice);
    const { body } = await service.graphql<{
      cashouts: { edges: { node: { cashoutId: string; hold: { by: string; reason: string } } }[] };
    }>(ON_HOLD, { status: ['ON_HOLD'], first: 100 }, alice);
    const held = body.data?.cashouts.edges.map((e) => e.node) ?? [];
    const ours = held.filter((c) => ids.map(String).includes(c.cashoutId));
    expect(ours).toMatchObject([
      { cashoutId: `${ids[2]}`, hold: { by: 'bob', reason: `kyc ${ids[2]}` } },
      { cashoutId: `${ids[0]}`, hold: { by: 'bob', reason: `kyc ${ids[0]}` } },
    ]);
    const pending = await service.graphql<{
      cashouts: { edges: { node: { cashoutId: string; status: string } }[] };
    }>(ON_HOLD, { status: ['PENDING'], first: 1 }, alice);
    expect(pending.body.data?.cashouts.edges).toEqual([
      {
        cursor: expect.any(String),
        node: expect.objectContaining({ cashoutId: `${ids[1]}`, status: 'PENDING' }),
      },
    ]);
  });

  it('cashouts and history need cashouts:read', async () => {
    const holder = await token('holder', 'cashouts:hold');
    const listing = await service.graphql(ON_HOLD, {}, holder);
    expect(listing.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
    const held = await service.graphql<{ holdCashout: { cashout: unknown } }>(
      'mutation ($id: ID!) { holdCashout(input: {cashoutId: $id}) { ... on HoldCashoutSuccess { cashout { status history { edges { node { id } } } } } } }',
      { id: `${cashoutId}` },
      holder,
    );
    expect(held.body.errors?.[0]).toMatchObject({
      extensions: { code: 'FORBIDDEN' },
      path: ['holdCashout', 'cashout', 'history'],
    });
    // The hold itself happened, and is in the ledger.
    expect(await history(cashoutId)).toMatchObject([{ action: 'HOLD', actor: 'holder' }]);
  });

  it('/metrics has the ledger series', async () => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    for (const name of [
      'ledger_write_duration_seconds_count',
      'ledger_batch_events_sum',
      'ledger_events_waiting',
      'ledger_write_failures_total',
      'ledger_events_dropped_total',
    ]) {
      expect(text).toContain(name);
    }
    expect(Number(/^ledger_batch_events_sum (\d+)/m.exec(text)?.[1])).toBeGreaterThan(0);
  });
});

const postgres = await postgresAvailable();

describe.skipIf(!postgres)('with the ledger (PostgreSQL) unreachable', () => {
  let schema: TestSchema;
  let proxy: TcpProxy;
  let proxied: TestService;
  beforeAll(async () => {
    schema = await createTestSchema();
    const url = new URL(schema.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    proxied = await startTestService({ AUTH_JWT_SECRET: TEST_SECRET, DATABASE_URL: url.toString() });
  });
  afterAll(async () => {
    await proxied.close();
    await proxy.close();
    await schema.drop();
  });

  it('mutations still happen and answer truthfully; /ready and the ledger fields say so; all is written when it is back', async () => {
    const { cashoutId } = proxied.sandbox.create({ status: 'PENDING' });
    proxy.cut();
    const held = await proxied.graphql(
      HOLD,
      { input: { cashoutId: `${cashoutId}`, reason: 'while down' } },
      alice,
    );
    expect(held.body).toMatchObject({
      data: {
        holdCashout: { __typename: 'HoldCashoutSuccess', changed: true, cashout: { status: 'ON_HOLD' } },
      },
    });
    expect(proxied.sandbox.get(cashoutId)?.status).toBe('ON_HOLD');
    const ready = await fetch(`${proxied.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ reasons: expect.arrayContaining(['ledger-unavailable']) });
    const metrics = await (await fetch(`${proxied.url}/metrics`)).text();
    expect(metrics).toMatch(/^ledger_events_waiting 1$/m);
    expect(metrics).toMatch(/^ledger_write_failures_total [1-9]/m);
    for (const [query, variables] of [
      [ON_HOLD, {}],
      [HISTORY, { cashoutId: `${cashoutId}` }],
    ] as const) {
      const { body } = await proxied.graphql(query, variables, alice);
      expect(body.errors?.[0]?.extensions?.code).toBe('LEDGER_UNAVAILABLE');
    }
    // A subscription that replays from `after` reads the ledger first: refused with the same code, not masked.
    const replaying = await sseSubscribe(proxied.url, { after: '1' }, alice);
    await replaying.done;
    expect(replaying.status).toBe(200);
    expect(replaying.results.at(-1)?.errors?.[0]?.extensions?.code).toBe('LEDGER_UNAVAILABLE');
    proxy.restore();
    await new Promise<void>((resolve) => proxied.ledger.onCommitted(() => resolve()));
    const { body } = await proxied.graphql<{ cashout: { history: { edges: { node: Event }[] } } }>(
      HISTORY,
      { cashoutId: `${cashoutId}` },
      alice,
    );
    expect(body.data?.cashout.history.edges.map((e) => e.node)).toMatchObject([
      { action: 'HOLD', actor: 'alice', reason: 'while down', resultType: 'HoldCashoutSuccess' },
    ]);
    expect((await fetch(`${proxied.url}/ready`)).status).toBe(200);
  });
});
