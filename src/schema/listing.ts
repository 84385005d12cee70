import type { CashoutState } from '../d24/answer.js';
import { encodeListCursor } from '../ledger/cursors.js';
import type { CashoutHold, LedgerCashout } from '../ledger/index.js';
import { builder, type Context } from './builder.js';
import { CashoutRef } from './cashout.js';
import { CashoutStatusEnum } from './cashout-status.js';
import { defineConnection, fromLedger, pageSize } from './connections.js';
import { DateTimeScalar } from './date-time.js';

const CashoutHoldRef = builder.objectRef<CashoutHold>('CashoutHold').implement({
  description: 'Who put a cashout on hold, why, and since when (D24 keeps none of this).',
  fields: (t) => ({
    by: t.exposeString('by', {
      nullable: true,
      description: "The token's sub; null when held outside this service.",
    }),
    reason: t.exposeString('reason', { nullable: true, description: 'The reason given with the hold.' }),
    since: t.field({
      type: DateTimeScalar,
      description: 'When the ledger saw it go ON_HOLD.',
      resolve: (h) => h.since,
    }),
  }),
});

// One ledger read per Cashout object, however many of its ledger fields are selected.
const known = new WeakMap<object, Promise<LedgerCashout | null>>();

function ledgerStateOf(cashout: CashoutState, context: Context): Promise<LedgerCashout | null> {
  if ('updatedAt' in cashout) return Promise.resolve(cashout as LedgerCashout);
  const id = cashout.cashoutId;
  if (id === null) return Promise.resolve(null);
  let state = known.get(cashout);
  if (!state) {
    state = fromLedger(() => context.ledger.cashout(id));
    known.set(cashout, state);
  }
  return state;
}

builder.objectFields(CashoutRef, (t) => ({
  hold: t.field({
    type: CashoutHoldRef,
    nullable: true,
    description: "Who held it, why and since when, while the ledger's last known status is ON_HOLD.",
    resolve: async (cashout, _args, context) => (await ledgerStateOf(cashout, context))?.hold ?? null,
  }),
  updatedAt: t.field({
    type: DateTimeScalar,
    nullable: true,
    description: 'When the ledger last saw its status change (null: the ledger does not know it).',
    resolve: async (cashout, _args, context) => (await ledgerStateOf(cashout, context))?.updatedAt ?? null,
  }),
}));

const CashoutConnection = defineConnection<CashoutState>(
  'Cashout',
  CashoutRef,
  (cashout) => encodeListCursor(cashout as LedgerCashout),
  'cashout',
);

builder.queryField('cashouts', (t) =>
  t.field({
    type: CashoutConnection,
    description:
      'The cashouts the ledger knows (touched by an operator, notified by D24, or looked up), most recently ' +
      'changed first, as the ledger last saw them. E.g. status: [ON_HOLD] is what is on hold now, by whom, why.',
    authScopes: { 'cashouts:read': true },
    args: {
      status: t.arg({ type: [CashoutStatusEnum], required: false, description: 'Only these statuses.' }),
      first: t.arg.int({ required: false, defaultValue: 50, description: 'How many (1 to 100).' }),
      after: t.arg.string({ required: false, description: "A previous page's endCursor." }),
    },
    resolve: (_root, args, context) => {
      const first = pageSize(args.first, 50);
      return fromLedger(() =>
        context.ledger.list({ statuses: args.status ?? null, first, after: args.after ?? null }),
      );
    },
  }),
);
