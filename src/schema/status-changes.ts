import type { InputObjectRef } from '@pothos/core';
import type { CallContext, D24Client, StatusChange } from '../d24/client.js';
import { builder, type Scope } from './builder.js';
import { CashoutRef } from './cashout.js';
import { STATUS_CHANGE_ERRORS } from './errors.js';
import { cashoutIdSchema, externalIdSchema } from './validation.js';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

const CancelCashoutInput = builder.inputType('CancelCashoutInput', {
  description: 'Which cashout to cancel. D24 needs both ids, and they must belong together.',
  fields: (t) => ({
    cashoutId: t.id({ required: true, description: "D24's id.", validate: { schema: cashoutIdSchema } }),
    externalId: t.string({
      required: true,
      description: "The merchant's own id given when the cashout was created.",
      validate: { schema: externalIdSchema },
    }),
  }),
});

function cashoutIdInput(name: string, description: string) {
  return builder.inputType(name, {
    description,
    fields: (t) => ({
      cashoutId: t.id({ required: true, description: "D24's id.", validate: { schema: cashoutIdSchema } }),
    }),
  });
}

interface StatusMutation<Input extends { cashoutId: string }> {
  field: string;
  typePrefix: string;
  scope: Scope;
  description: string;
  input: InputObjectRef<Types, Input>;
  run: (d24: D24Client, input: Input & { id: number }, context: CallContext) => Promise<StatusChange>;
}

/** One mutation: its success type, its result union (success + the shared errors) and the field. */
function defineStatusMutation<Input extends { cashoutId: string }>(mutation: StatusMutation<Input>): void {
  const Success = builder.objectRef<StatusChange>(`${mutation.typePrefix}Success`).implement({
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
  builder.mutationField(mutation.field, (t) =>
    t.field({
      type: Success,
      description: mutation.description,
      authScopes: { [mutation.scope]: true },
      args: { input: t.arg({ type: mutation.input, required: true }) },
      errors: {
        types: STATUS_CHANGE_ERRORS,
        directResult: true,
        union: { name: `${mutation.typePrefix}Result` },
      },
      resolve: (_root, args, context) => {
        // Pothos cannot infer a generic input's arg shape; the schema guarantees it.
        const { input } = args as unknown as { input: Input };
        return mutation.run(
          context.d24,
          { ...input, id: Number(input.cashoutId) },
          { requestId: context.requestId },
        );
      },
    }),
  );
}

defineStatusMutation({
  field: 'cancelCashout',
  typePrefix: 'CancelCashout',
  scope: 'cashouts:cancel',
  description: 'Cancels a PENDING or ON_HOLD cashout at D24 (final). Never retried automatically.',
  input: CancelCashoutInput,
  run: (d24, input, context) =>
    d24.cancelCashout({ cashoutId: input.id, externalId: input.externalId }, context),
});

defineStatusMutation({
  field: 'holdCashout',
  typePrefix: 'HoldCashout',
  scope: 'cashouts:hold',
  description: 'Puts a PENDING cashout ON_HOLD at D24 (e.g. while KYC runs). Never retried automatically.',
  input: cashoutIdInput('HoldCashoutInput', 'Which cashout to hold.'),
  run: (d24, input, context) => d24.holdCashout({ cashoutId: input.id }, context),
});

defineStatusMutation({
  field: 'releaseCashout',
  typePrefix: 'ReleaseCashout',
  scope: 'cashouts:release',
  description: 'Releases an ON_HOLD cashout back to PENDING at D24. Never retried automatically.',
  input: cashoutIdInput('ReleaseCashoutInput', 'Which cashout to release.'),
  run: (d24, input, context) => d24.releaseCashout({ cashoutId: input.id }, context),
});
