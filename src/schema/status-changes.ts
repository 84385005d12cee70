import type { InputObjectRef } from '@pothos/core';
import type { StatusChange } from '../d24/client.js';
import { builder, type Scope } from './builder.js';
import { CashoutRef } from './cashout.js';
import { CHANGES, type ChangeAction, type ChangeRequest, changeStatus } from './change-status.js';
import { STATUS_CHANGE_ERRORS } from './errors.js';
import { cashoutIdSchema, externalIdSchema, reasonSchema } from './validation.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** What a mutation input carries; a cancel's externalId too. */
export interface ChangeInput {
  cashoutId: string;
  externalId?: string;
  reason?: string | null;
}

type FieldBuilder = PothosSchemaTypes.InputFieldBuilder<Types, 'InputObject'>;

export const cashoutIdField = (t: FieldBuilder) =>
  t.id({ required: true, description: "D24's id.", validate: { schema: cashoutIdSchema } });
export const externalIdField = (t: FieldBuilder) =>
  t.string({
    required: true,
    description: "The merchant's own id given when the cashout was created.",
    validate: { schema: externalIdSchema },
  });
export const reasonField = (t: FieldBuilder) =>
  t.string({
    required: false,
    description:
      'Why (1 to 500 characters; line feeds allowed). Kept in the ledger with the event; D24 stores none.',
    validate: { schema: reasonSchema },
  });

const CancelCashoutInput = builder.inputType('CancelCashoutInput', {
  description: 'Which cashout to cancel. D24 needs both ids, and they must belong together.',
  fields: (t) => ({ cashoutId: cashoutIdField(t), externalId: externalIdField(t), reason: reasonField(t) }),
});

const cashoutIdInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({ cashoutId: cashoutIdField(t), reason: reasonField(t) }),
  });

/** The validated input of one item as the one function takes it. */
export function changeRequest(
  action: ChangeAction,
  input: ChangeInput,
  reason?: string | null,
): ChangeRequest {
  const common = { cashoutId: Number(input.cashoutId), reason: reason ?? input.reason ?? null };
  return action === 'CANCEL'
    ? { ...common, action, externalId: input.externalId as string }
    : { ...common, action };
}

interface StatusMutation {
  action: ChangeAction;
  field: string;
  scope: Scope;
  description: string;
  input: InputObjectRef<Types, ChangeInput>;
}

/** One mutation: its success type, its result union (success + the shared errors) and the field. */
function defineStatusMutation(mutation: StatusMutation) {
  const successName = CHANGES[mutation.action].success;
  const Success = builder.objectRef<StatusChange>(successName).implement({
    description: `${mutation.description} Succeeded, or the cashout already was in that status.`,
    fields: (t) => ({
      cashout: t.field({
        type: CashoutRef,
        description: 'The cashout after the call.',
        resolve: (r) => r.cashout,
      }),
      changed: t.exposeBoolean('changed', {
        description:
          'false when the cashout already was in the requested status (a safe replay): nothing changed.',
      }),
    }),
  });
  // Returned errors (one of ours) resolve to their own member; anything else is the success.
  const Result = builder.errorUnion(successName.replace(/Success$/, 'Result'), {
    types: [Success, ...STATUS_CHANGE_ERRORS],
    resolveType: () => successName,
  });
  builder.mutationField(mutation.field, (t) =>
    t.field({
      type: Result,
      description: mutation.description,
      authScopes: { [mutation.scope]: true },
      args: { input: t.arg({ type: mutation.input, required: true }) },
      resolve: (_root, args, context) =>
        changeStatus(context, changeRequest(mutation.action, args.input as ChangeInput)),
    }),
  );
  return { Result, scope: mutation.scope };
}

export const STATUS_MUTATIONS = {
  CANCEL: defineStatusMutation({
    action: 'CANCEL',
    field: 'cancelCashout',
    scope: 'cashouts:cancel',
    description: 'Cancels a PENDING or ON_HOLD cashout at D24 (final). Never retried automatically.',
    input: CancelCashoutInput,
  }),
  HOLD: defineStatusMutation({
    action: 'HOLD',
    field: 'holdCashout',
    scope: 'cashouts:hold',
    description: 'Puts a PENDING cashout ON_HOLD at D24 (e.g. while KYC runs). Never retried automatically.',
    input: cashoutIdInput('HoldCashoutInput', 'Which cashout to hold.'),
  }),
  RELEASE: defineStatusMutation({
    action: 'RELEASE',
    field: 'releaseCashout',
    scope: 'cashouts:release',
    description: 'Releases an ON_HOLD cashout back to PENDING at D24. Never retried automatically.',
    input: cashoutIdInput('ReleaseCashoutInput', 'Which cashout to release.'),
  }),
};
