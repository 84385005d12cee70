import { ApolloClient, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { Client, subscriptionExchange } from '@urql/core';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CashoutEventsDocument, type CashoutEventsSubscription } from '../schema/generated/graphql.js';
import possibleTypes from '../schema/generated/possible-types.js';
import { startTestService, type TestService } from './support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

const wsUrl = () => `${service.url.replace(/^http/, 'ws')}/graphql`;
const untilOpen = async (n: number) => {
  while (service.live.openStreams() !== n) await new Promise((resolve) => setTimeout(resolve, 10));
};

/** Holds a fresh cashout with the real mutation (its event goes to the ledger, hence to subscribers). */
async function holdNewCashout(): Promise<string> {
  const cashoutId = `${service.sandbox.create().cashoutId}`;
  const { body } = await service.graphql<{ holdCashout: { __typename: string } }>(
    'mutation Hold($input: HoldCashoutInput!) { holdCashout(input: $input) { __typename } }',
    { input: { cashoutId } },
  );
  expect(body.data?.holdCashout.__typename).toBe('HoldCashoutSuccess');
  return cashoutId;
}

/** Switches on __typename as a frontend does, with the generated types. */
function describeEvent(data: CashoutEventsSubscription | null | undefined): string {
  const event = data?.cashoutEvents;
  switch (event?.__typename) {
    case 'CashoutEvent':
      return `${event.action} ${event.cashoutId} ${event.cashout?.status}`;
    case 'ValidationError':
      return `invalid: ${event.issues.map((issue) => issue.path.join('.')).join(', ')}`;
    default:
      return 'nothing';
  }
}

describe('Apollo Client, GraphQLWsLink', () => {
  it('receives the ledger event of a hold, typed by the generated document', async () => {
    const client = new ApolloClient({
      link: new GraphQLWsLink(createWsClient({ url: wsUrl(), webSocketImpl: WebSocket, retryAttempts: 0 })),
      cache: new InMemoryCache({ possibleTypes: possibleTypes.possibleTypes }),
    });
    const seen: string[] = [];
    let arrived: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const subscription = client.subscribe({ query: CashoutEventsDocument }).subscribe({
      next: ({ data }) => {
        seen.push(describeEvent(data));
        arrived();
      },
    });
    await untilOpen(1);
    const cashoutId = await holdNewCashout();
    await first;
    expect(seen).toEqual([`HOLD ${cashoutId} ON_HOLD`]);
    subscription.unsubscribe();
    await untilOpen(0);
    client.stop();
  });
});

describe('urql, subscriptionExchange', () => {
  /** What graphql-sse's and graphql-ws's clients share: urql's forwardSubscription over either. */
  type SinkClient = {
    subscribe(payload: { query: string; variables: Record<string, unknown> }, sink: never): () => void;
    dispose(): unknown;
  };
  const forwarding = (client: SinkClient) => ({
    forward: (request: { query?: string; variables?: Record<string, unknown> }) => ({
      subscribe: (sink: never) => ({
        unsubscribe: client.subscribe(
          { query: request.query ?? '', variables: request.variables ?? {} },
          sink,
        ),
      }),
    }),
    dispose: async () => {
      await client.dispose();
    },
  });
  const transports = {
    'SSE (graphql-sse, distinct connections)': () =>
      forwarding(
        createSseClient({ url: `${service.url}/graphql`, retryAttempts: 0 }) as unknown as SinkClient,
      ),
    'WebSocket (graphql-ws)': () =>
      forwarding(
        createWsClient({ url: wsUrl(), webSocketImpl: WebSocket, retryAttempts: 0 }) as unknown as SinkClient,
      ),
  };

  for (const [name, transport] of Object.entries(transports)) {
    it(`receives events over ${name}, only the cashouts asked for`, async () => {
      const { forward, dispose } = transport();
      const client = new Client({
        url: `${service.url}/graphql`,
        exchanges: [subscriptionExchange({ forwardSubscription: (request) => forward(request) as never })],
      });
      const watched = `${service.sandbox.create().cashoutId}`;
      const seen: string[] = [];
      const { unsubscribe } = client
        .subscription(CashoutEventsDocument, { cashoutIds: [watched] })
        .subscribe((result) => seen.push(describeEvent(result.data)));
      await untilOpen(1);
      await holdNewCashout(); // another cashout: not delivered
      const { body } = await service.graphql(
        `mutation { holdCashout(input: { cashoutId: "${watched}" }) { __typename } }`,
      );
      expect(body.errors).toBeUndefined();
      while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(seen).toEqual([`HOLD ${watched} ON_HOLD`]);
      unsubscribe();
      await untilOpen(0);
      await dispose();
    });
  }

  it('gets a ValidationError member for an unknown `after`', async () => {
    const { forward, dispose } = transports['SSE (graphql-sse, distinct connections)']();
    const client = new Client({
      url: `${service.url}/graphql`,
      exchanges: [subscriptionExchange({ forwardSubscription: (request) => forward(request) as never })],
    });
    const result = await new Promise<CashoutEventsSubscription | undefined>((resolve) =>
      client.subscription(CashoutEventsDocument, { after: '987654321' }).subscribe((r) => resolve(r.data)),
    );
    expect(describeEvent(result)).toBe('invalid: after');
    await dispose();
  });
});
