import type { CashoutState } from '../d24/answer.js';
import { builder } from './builder.js';
import { CashoutStatusEnum } from './cashout-status.js';
import { LOOKUP_ERRORS } from './errors.js';
import { cashoutIdSchema, externalIdSchema } from './validation.js';

const CashoutRejectionRef = builder
  .objectRef<{ code: number; reason: string }>('CashoutRejection')
  .implement({
    description: 'Why the bank rejected the cashout, as D24 reports it.',
    fields: (t) => ({
      code: t.exposeInt('code', { description: "D24's rejection code (800 to 826)." }),
      reason: t.exposeString('reason', {
        description: "D24's rejection reason, e.g. ERROR_ACCOUNT_INCORRECT.",
      }),
    }),
  });

export const CashoutRef = builder.objectRef<CashoutState>('Cashout').implement({
  description:
    'A cashout at D24 as D24 reported it (just now, or when the ledger last saw it), with what the ledger knows of it.',
  fields: (t) => ({
    cashoutId: t.exposeID('cashoutId', {
      nullable: true,
      description: "D24's id; null only when looked up by externalId alone (D24's answer does not echo it).",
    }),
    externalId: t.exposeString('externalId', {
      nullable: true,
      description: "The merchant's own id, when the caller gave it.",
    }),
    status: t.field({
      type: CashoutStatusEnum,
      description: 'The status.',
      resolve: (cashout) => cashout.status,
    }),
    statusCode: t.exposeInt('statusCode', { description: "D24's numeric status code (0 to 5)." }),
    statusDescription: t.exposeString('statusDescription', {
      description: 'D24\'s own text, e.g. "Canceled".',
    }),
    rejection: t.field({
      type: CashoutRejectionRef,
      nullable: true,
      description: 'Set when D24 reports a rejection.',
      resolve: (cashout) => cashout.rejection,
    }),
  }),
});

builder.queryType({
  fields: (t) => ({
    cashout: t.field({
      type: CashoutRef,
      description:
        "Looks a cashout up at D24 by D24's id, the merchant's externalId, or both (both must match).",
      authScopes: { 'cashouts:read': true },
      args: {
        cashoutId: t.arg.id({
          required: false,
          description: "D24's id.",
          validate: { schema: cashoutIdSchema },
        }),
        externalId: t.arg.string({
          required: false,
          description: "The merchant's own id.",
          validate: { schema: externalIdSchema },
        }),
      },
      validate: [
        (args) => args.cashoutId != null || args.externalId != null,
        { message: 'give cashoutId, externalId or both' },
      ],
      errors: { types: LOOKUP_ERRORS, directResult: true, union: { name: 'CashoutLookupResult' } },
      resolve: async (_root, args, context) => {
        const cashout = await context.d24.getCashoutStatus(
          args.cashoutId == null
            ? { externalId: args.externalId as string }
            : {
                cashoutId: Number(args.cashoutId),
                ...(args.externalId != null && { externalId: args.externalId }),
              },
          { requestId: context.requestId },
        );
        // A status the ledger did not have becomes a LOOKUP event (by externalId alone, D24's id is unknown).
        const { cashoutId } = cashout;
        if (cashoutId !== null) {
          await context.ledger.observe(
            { ...cashout, cashoutId },
            { action: 'LOOKUP', actor: context.principal.subject, requestId: context.requestId },
          );
        }
        return cashout;
      },
    }),
  }),
});
