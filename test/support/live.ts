import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { NewLedgerEvent } from '../../src/ledger/types.js';

export type Result = {
  data?: { cashoutEvents?: Record<string, unknown> | null } | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};

export const CASHOUT_EVENTS = `subscription CashoutEvents($cashoutIds: [ID!], $after: ID) {
  cashoutEvents(cashoutIds: $cashoutIds, after: $after) {
    __typename
    ... on CashoutEvent { id cashoutId action }
    ... on ValidationError { message issues { path message } }
  }
}`;

/** What a subscriber collected: its results in order, and whether the stream completed. */
export interface Subscriber {
  status: number;
  results: Result[];
  /** Server-sent comments (SSE keep-alive pings) seen so far. */
  pings: number;
  done: Promise<void>;
  /** Resolves once `predicate` holds for the results collected (checked on every arrival). */
  until(predicate: (results: Result[]) => boolean): Promise<Result[]>;
  close(): void;
}

function collector() {
  const results: Result[] = [];
  const waiters: { predicate: (r: Result[]) => boolean; resolve: (r: Result[]) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      if (!waiter.predicate(results)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(results);
    }
  };
  return {
    results,
    add(result: Result) {
      results.push(result);
      check();
    },
    until(predicate: (r: Result[]) => boolean) {
      return new Promise<Result[]>((resolve) => {
        waiters.push({ predicate, resolve });
        check();
      });
    },
  };
}

/** An SSE body's messages (the text between blank lines), as they arrive. */
export async function* sseMessages(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of body) {
    text += decoder.decode(chunk, { stream: true });
    for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
      yield text.slice(0, end);
      text = text.slice(end + 2);
    }
  }
}

/** GraphQL over SSE, as Yoga serves it (distinct connections: one POST per subscription). */
export async function sseSubscribe(
  url: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  query = CASHOUT_EVENTS,
): Promise<Subscriber> {
  const abort = new AbortController();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const { results, add, until } = collector();
  const subscriber: Subscriber = {
    status: response.status,
    results,
    pings: 0,
    until,
    close: () => abort.abort(),
    done: Promise.resolve(),
  };
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    add((await response.json()) as Result);
    return subscriber;
  }
  subscriber.done = (async () => {
    try {
      for await (const message of sseMessages(response.body as unknown as AsyncIterable<Uint8Array>)) {
        if (message.startsWith(':')) subscriber.pings++;
        const event = /^event: (.*)$/m.exec(message)?.[1];
        const data = /^data: (.*)$/m.exec(message)?.[1];
        if (event === 'next' && data) add(JSON.parse(data) as Result);
        if (event === 'complete') return;
      }
    } catch {
      // Aborted by `close`, or the connection was lost (a killed replica): the stream is over either way.
    }
  })();
  return subscriber;
}

/** A graphql-ws client (the graphql-transport-ws protocol) that reports how its socket closed. */
export function wsClient(url: string, authorization?: string) {
  const closes: { code: number; reason: string }[] = [];
  const client: Client = createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams: authorization ? { authorization } : {},
    on: { closed: (event) => closes.push(event as { code: number; reason: string }) },
  });
  return { client, closes };
}

/** Subscribes over a graphql-ws client; errors (a close included) end `done` without throwing. */
export function wsSubscribe(
  client: Client,
  variables: Record<string, unknown> = {},
  query = CASHOUT_EVENTS,
): Subscriber {
  const { results, add, until } = collector();
  let dispose = () => {};
  const done = new Promise<void>((resolve) => {
    dispose = client.subscribe(
      { query, variables },
      {
        next: (result) => add(result as Result),
        error: () => resolve(),
        complete: () => resolve(),
      },
    );
  });
  return { status: 101, results, pings: 0, done, until, close: () => dispose() };
}

export const eventIds = (results: Result[]) =>
  results.flatMap((r) =>
    r.data?.cashoutEvents?.__typename === 'CashoutEvent' ? [r.data.cashoutEvents.id as string] : [],
  );

export const hasEvents = (n: number) => (results: Result[]) => eventIds(results).length >= n;

/** An operator's event, as a mutation writes it. */
export function holdEvent(cashoutId: string, actor = 'alice'): NewLedgerEvent {
  return {
    cashoutId,
    action: 'HOLD',
    actor,
    reason: null,
    resultType: 'HoldCashoutSuccess',
    outcome: null,
    d24Code: null,
    cashout: null,
    requestId: null,
  };
}
