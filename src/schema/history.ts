import { statusFromCode } from '../d24/wire.js';
import { CASHOUT_ACTIONS, type CashoutAction, type LedgerEvent } from '../ledger/index.js';
import { builder } from './builder.js';
import { CashoutRef } from './cashout.js';
import { CashoutStatusEnum } from './cashout-status.js';
import { defineConnection, fromLedger, pageSize } from './connections.js';
import { DateTimeScalar } from './date-time.js';
import { OperationOutcomeEnum } from './errors.js';

const ACTION_DESCRIPTIONS: Record<CashoutAction, string> = {
  HOLD: "An operator's holdCashout (or an item of holdCashouts).",
  RELEASE: "An operator's releaseCashout (or an item of releaseCashouts).",
  CANCEL: "An operator's cancelCashout (or an item of cancelCashouts).",
  LOOKUP: 'A look-up (Query.cashout) saw a status the ledger did not have.',
  NOTIFICATION: 'D24 notified a change, and its status was fetched.',
  RECONCILE: 'The reconciler re-checked the cashout at D24 and saw a change.',
};

const CashoutActionEnum = builder.enumType('CashoutAction', {
  description: 'What a ledger event records.',
  values: Object.fromEntries(
    CASHOUT_ACTIONS.map((action) => [action, { value: action, description: ACTION_DESCRIPTIONS[action] }]),
  ) as Record<CashoutAction, { value: CashoutAction; description: string }>,
});

export const CashoutEventRef = builder.objectRef<LedgerEvent>('CashoutEvent').implement({
  description: 'One entry of the ledger: who did what to a cashout, why, and what D24 answered.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Opaque; increasing in commit order. A cursor for `after`.' }),
    cashoutId: t.exposeID('cashoutId', { description: "D24's id." }),
    at: t.field({ type: DateTimeScalar, description: 'When it happened.', resolve: (e) => e.at }),
    action: t.field({ type: CashoutActionEnum, description: 'What happened.', resolve: (e) => e.action }),
    actor: t.exposeString('actor', {
      nullable: true,
      description: "The token's sub for operator actions; null for NOTIFICATION and RECONCILE.",
    }),
    reason: t.exposeString('reason', { nullable: true, description: "The operator's reason, if given." }),
    resultType: t.exposeString('resultType', {
      description: 'The union member the caller got (e.g. "HoldCashoutSuccess"); "Cashout" for observations.',
    }),
    outcome: t.field({
      type: OperationOutcomeEnum,
      nullable: true,
      description: 'Set for D24UnavailableError: whether the change may have happened.',
      resolve: (e) => e.outcome,
    }),
    d24Code: t.exposeInt('d24Code', {
      nullable: true,
      description: "D24's error code, when it answered one.",
    }),
    changed: t.exposeBoolean('changed', {
      description: "Whether the cashout's status changed with this event.",
    }),
    previousStatus: t.field({
      type: CashoutStatusEnum,
      nullable: true,
      description: 'The status as the ledger knew it before (null: unknown).',
      resolve: (e) => (e.previousStatusCode === null ? null : (statusFromCode(e.previousStatusCode) ?? null)),
    }),
    cashout: t.field({
      type: CashoutRef,
      nullable: true,
      description: 'The cashout as known right after this event (null when unknown, e.g. outcome UNKNOWN).',
      resolve: (e) => e.cashout,
    }),
    requestId: t.exposeString('requestId', {
      nullable: true,
      description: 'The X-Request-Id of the request that caused it.',
    }),
  }),
});

const CashoutEventConnection = defineConnection('CashoutEvent', CashoutEventRef, (e) => e.id, 'ledger event');

builder.objectField(CashoutRef, 'history', (t) =>
  t.field({
    type: CashoutEventConnection,
    description: "The cashout's ledger events, newest first. Needs cashouts:read.",
    authScopes: { 'cashouts:read': true },
    args: {
      first: t.arg.int({ required: false, defaultValue: 20, description: 'How many (1 to 100).' }),
      after: t.arg.string({ required: false, description: "A previous page's endCursor." }),
    },
    resolve: (cashout, args, context) => {
      const first = pageSize(args.first, 20);
      // Looked up by externalId alone, the cashout's D24 id is unknown, and so is its history.
      if (cashout.cashoutId === null) return { items: [], hasNextPage: false, endCursor: null };
      const id = cashout.cashoutId;
      return fromLedger(() => context.ledger.history(id, { first, after: args.after ?? null }));
    },
  }),
);
