import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { Client, fetchExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancelCashoutDocument,
  CancelCashoutsDocument,
  CashoutDocument,
  HoldCashoutDocument,
  HoldCashoutsDocument,
  ReleaseCashoutDocument,
} from '../schema/generated/graphql.js';
import possibleTypes from '../schema/generated/possible-types.js';
import introspection from '../schema/generated/urql-introspection.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

describe('Apollo Client with the generated possibleTypes', () => {
  const apollo = () =>
    new ApolloClient({
      link: new HttpLink({ uri: `${service.url}/graphql` }),
      cache: new InMemoryCache({ possibleTypes: possibleTypes.possibleTypes }),
    });

  it('holds and releases with the typed documents, switching on __typename', async () => {
    const client = apollo();
    const { cashoutId } = service.sandbox.create();
    const held = await client.mutate({
      mutation: HoldCashoutDocument,
      variables: { input: { cashoutId: `${cashoutId}` } },
    });
    const hold = held.data?.holdCashout;
    if (hold?.__typename !== 'HoldCashoutSuccess') throw new Error(`unexpected ${hold?.__typename}`);
    expect(hold.changed).toBe(true);
    expect(hold.cashout.status).toBe('ON_HOLD');

    const released = await client.mutate({
      mutation: ReleaseCashoutDocument,
      variables: { input: { cashoutId: `${cashoutId}` } },
    });
    expect(released.data?.releaseCashout).toMatchObject({
      __typename: 'ReleaseCashoutSuccess',
      changed: true,
    });
  });

  it('reads error members, and an `... on Error` fragment from the cache thanks to possibleTypes', async () => {
    const client = apollo();
    const missing = await client.query({ query: CashoutDocument, variables: { cashoutId: '31337' } });
    const result = missing.data?.cashout;
    if (result?.__typename !== 'CashoutNotFoundError') throw new Error(`unexpected ${result?.__typename}`);
    expect(result.code).toBe(509);

    const ViaInterface = gql`
      query ViaInterface($cashoutId: ID) { cashout(cashoutId: $cashoutId) { __typename ... on Error { message } } }
    `;
    await client.query({ query: ViaInterface, variables: { cashoutId: '31338' } });
    const cached = client.readQuery<{ cashout: { __typename: string; message?: string } }>({
      query: ViaInterface,
      variables: { cashoutId: '31338' },
    });
    expect(cached?.cashout).toEqual({ __typename: 'CashoutNotFoundError', message: expect.any(String) });
  });
});

type ItemOf<T> = T extends { results: readonly (infer I)[] } ? I : never;

/** A UI's switch over every member of a bulk item's union: what it would show for each. */
function describeItem(item: { __typename: string } & Record<string, unknown>): string {
  switch (item.__typename) {
    case 'HoldCashoutSuccess':
    case 'CancelCashoutSuccess':
      return `ok ${(item.cashout as { status: string }).status}${item.changed ? '' : ' (already)'}`;
    case 'ValidationError':
      return 'invalid';
    case 'CashoutNotFoundError':
      return `not found ${item.code}`;
    case 'InvalidStatusTransitionError':
      return `cannot: ${item.currentStatus}`;
    case 'D24RequestError':
      return `refused ${item.kind}`;
    case 'D24UnavailableError':
      return `unavailable ${item.outcome}`;
    default:
      throw new Error(`unexpected ${item.__typename}`);
  }
}

// One item per member a bulk item can be (ValidationError is the whole bulk's, checked apart).
function mixedItems() {
  const sandbox = service.sandbox;
  const pending = sandbox.create({ status: 'PENDING' });
  const held = sandbox.create({ status: 'ON_HOLD' });
  const done = sandbox.create({ status: 'COMPLETED' });
  const refused = sandbox.create({ status: 'PENDING' });
  sandbox.faults.forCashout(refused.cashoutId, { kind: 'code', code: 300 }, 1);
  const lost = sandbox.create({ status: 'PENDING' });
  sandbox.faults.forCashout(lost.cashoutId, { kind: 'http5xx' }, 1);
  return [pending, held, done, { cashoutId: 31337, externalId: 'nobody' }, refused, lost];
}

describe('bulk results in both clients, switching on every member of an item', () => {
  it('Apollo: holdCashouts', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: `${service.url}/graphql` }),
      cache: new InMemoryCache({ possibleTypes: possibleTypes.possibleTypes }),
    });
    const items = mixedItems();
    const { data } = await client.mutate({
      mutation: HoldCashoutsDocument,
      variables: { input: { cashoutIds: items.map((i) => `${i.cashoutId}`), reason: 'KYC' } },
    });
    const bulk = data?.holdCashouts;
    if (bulk?.__typename !== 'HoldCashoutsSuccess') throw new Error(`unexpected ${bulk?.__typename}`);
    expect(bulk.results.map((item: ItemOf<typeof bulk>) => describeItem(item))).toEqual([
      'ok ON_HOLD',
      'ok ON_HOLD (already)',
      'cannot: COMPLETED',
      'not found 509',
      'refused INVALID_PARAMS',
      'unavailable UNKNOWN',
    ]);
    const invalid = await client.mutate({
      mutation: HoldCashoutsDocument,
      variables: { input: { cashoutIds: ['x'] } },
    });
    expect(invalid.data?.holdCashouts.__typename).toBe('ValidationError');
  });

  it('urql: cancelCashouts', async () => {
    const client = new Client({
      url: `${service.url}/graphql`,
      exchanges: [cacheExchange({ schema: introspection }), fetchExchange],
      fetchOptions: { headers: { 'x-graphql-yoga-csrf': '1' } },
    });
    const items = mixedItems();
    const result = await client
      .mutation(CancelCashoutsDocument, {
        input: {
          cashouts: items.map((i) => ({ cashoutId: `${i.cashoutId}`, externalId: i.externalId })),
          reason: 'merchant asked',
        },
      })
      .toPromise();
    const bulk = result.data?.cancelCashouts;
    if (bulk?.__typename !== 'CancelCashoutsSuccess') throw new Error(`unexpected ${bulk?.__typename}`);
    expect(bulk.results.map((item: ItemOf<typeof bulk>) => describeItem(item))).toEqual([
      'ok CANCELLED',
      'ok CANCELLED',
      'cannot: COMPLETED',
      'not found 509',
      'refused INVALID_PARAMS',
      'unavailable UNKNOWN',
    ]);
    const invalid = await client.mutation(CancelCashoutsDocument, { input: { cashouts: [] } }).toPromise();
    expect(invalid.data?.cancelCashouts.__typename).toBe('ValidationError');
  });
});

describe('urql with Graphcache and the generated introspection', () => {
  const urql = () =>
    new Client({
      url: `${service.url}/graphql`,
      exchanges: [cacheExchange({ schema: introspection }), fetchExchange],
      // urql sends queries as GET; CSRF prevention wants a header on those (README, Hardening).
      fetchOptions: { headers: { 'x-graphql-yoga-csrf': '1' } },
    });

  it('cancels with the typed document and reads the success member', async () => {
    const { cashoutId, externalId } = service.sandbox.create();
    const result = await urql()
      .mutation(CancelCashoutDocument, { input: { cashoutId: `${cashoutId}`, externalId } })
      .toPromise();
    expect(result.error).toBeUndefined();
    const cancel = result.data?.cancelCashout;
    if (cancel?.__typename !== 'CancelCashoutSuccess') throw new Error(`unexpected ${cancel?.__typename}`);
    expect(cancel.cashout).toMatchObject({
      cashoutId: `${cashoutId}`,
      externalId,
      status: 'CANCELLED',
      statusCode: 2,
    });
  });

  it('reads ValidationError issues and InvalidStatusTransitionError fields', async () => {
    const client = urql();
    const invalid = await client
      .mutation(HoldCashoutDocument, { input: { cashoutId: 'not-a-number' } })
      .toPromise();
    const validation = invalid.data?.holdCashout;
    if (validation?.__typename !== 'ValidationError') throw new Error(`unexpected ${validation?.__typename}`);
    expect(validation.issues[0]?.path).toEqual(['input', 'cashoutId']);

    const refused = await client.mutation(HoldCashoutDocument, { input: { cashoutId: '1007' } }).toPromise();
    const transition = refused.data?.holdCashout;
    if (transition?.__typename !== 'InvalidStatusTransitionError')
      throw new Error(`unexpected ${transition?.__typename}`);
    expect(transition).toMatchObject({ currentStatus: 'COMPLETED', requestedStatus: 'ON_HOLD' });
  });

  it('looks a rejected cashout up, rejection included', async () => {
    const result = await urql().query(CashoutDocument, { cashoutId: '1008' }).toPromise();
    expect(result.data?.cashout).toMatchObject({
      __typename: 'Cashout',
      status: 'REJECTED',
      rejection: { code: 800, reason: 'ERROR_ACCOUNT_INCORRECT' },
    });
  });
});
