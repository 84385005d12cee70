import { z } from 'zod';
import { EVENT_ID } from '../live/ids.js';
import { type EventStream, type StreamItem, TooManyStreamsError } from '../live/index.js';
import { topLevelError } from '../server/errors.js';
import { builder } from './builder.js';
import { fromLedger } from './connections.js';
import { CashoutEventRef } from './history.js';
import { cashoutIdSchema, ValidationError } from './validation.js';

const CashoutEventsResult = builder.unionType('CashoutEventsResult', {
  description: 'A ledger event, or why the subscription was refused (then the stream ends).',
  types: [CashoutEventRef, ValidationError],
  resolveType: (value) => ('issues' in value ? 'ValidationError' : 'CashoutEvent'),
});

const argsSchema = z.object({
  cashoutIds: z.array(cashoutIdSchema).min(1).max(100).nullish(),
  after: z.string().regex(EVENT_ID, 'must be the id of a ledger event').nullish(),
});

type Item = StreamItem | ValidationError;

// graphql-js takes a resolved Error for a thrown one: the member goes out as a plain object of its fields.
async function* single(error: ValidationError): AsyncGenerator<Item> {
  yield { name: error.name, message: error.message, issues: error.issues } as ValidationError;
}

builder.subscriptionType({
  description: 'Live updates, over SSE (Accept: text/event-stream) or WebSocket (graphql-transport-ws).',
});

builder.subscriptionField('cashoutEvents', (t) =>
  t.field({
    type: CashoutEventsResult,
    description:
      "Every new ledger event (only those cashouts' when cashoutIds is given). With `after`: first every event " +
      'committed after that one, from the ledger, then live, with no gap and no duplicate. An unknown `after` is ' +
      'a ValidationError. The stream ends with an error when the token expires (resume with `after`).',
    authScopes: { 'cashouts:read': true },
    args: {
      cashoutIds: t.arg.idList({ required: false, description: 'Only these cashouts (1 to 100 ids).' }),
      after: t.arg.id({ required: false, description: 'Replay from the event after this id, then go live.' }),
    },
    subscribe: async (_root, args, context): Promise<AsyncIterable<Item>> => {
      const parsed = argsSchema.safeParse(args);
      if (!parsed.success) return single(ValidationError.fromZod(parsed.error));
      const { cashoutIds, after } = parsed.data;
      if (cashoutIds && new Set(cashoutIds).size !== cashoutIds.length) {
        return single(new ValidationError([{ path: ['cashoutIds'], message: 'must not repeat an id' }]));
      }
      if (after && !(await fromLedger(() => context.ledger.hasEvent(after)))) {
        return single(new ValidationError([{ path: ['after'], message: 'is not a known event id' }]));
      }
      let stream: EventStream;
      try {
        stream = context.live.open({
          principal: context.principal,
          cashoutIds: cashoutIds ?? null,
          after: after ?? null,
        });
      } catch (error) {
        if (!(error instanceof TooManyStreamsError)) throw error;
        throw topLevelError(error.code, error.message);
      }
      // Answer once the stream is on the feed: nothing committed after the client sees the answer is missed.
      await stream.ready;
      return stream;
    },
    resolve: (item: Item) => {
      if (!('end' in item)) return item;
      throw topLevelError(item.end, undefined, { lastId: item.lastId });
    },
  }),
);
