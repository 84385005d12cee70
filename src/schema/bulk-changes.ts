import { z } from 'zod';
import { builder } from './builder.js';
import { BULK_D24_CONCURRENCY, BULK_MAX_ITEMS } from './bulk-items.js';
import { type ChangeAction, type ChangeResult, changeStatus } from './change-status.js';
import {
  cashoutIdField,
  changeRequest,
  externalIdField,
  reasonField,
  STATUS_MUTATIONS,
} from './status-changes.js';
import { cashoutIdSchema, ValidationError } from './validation.js';

// Bulk mutations add only validation of the whole list, a bound on concurrent D24 calls and ordering: each item is
// the single mutation's one function (changeStatus), so an item's result is exactly what the single one answers.

const items = <T>(item: z.ZodType<T>, idOf: (value: T) => string) =>
  z
    .array(item)
    .min(1, 'must have 1 to 100 items')
    .max(BULK_MAX_ITEMS, `must have 1 to ${BULK_MAX_ITEMS} items`)
    .superRefine((list, ctx) => {
      const first = new Map<string, number>();
      list.forEach((value, index) => {
        const id = idOf(value);
        const seen = first.get(id);
        if (seen === undefined) first.set(id, index);
        else ctx.addIssue({ code: 'custom', path: [index], message: `duplicate of item ${seen}` });
      });
    });

const idsInput = (name: string, description: string) =>
  builder.inputType(name, {
    description,
    fields: (t) => ({
      cashoutIds: t.idList({
        required: true,
        description: `D24's ids, 1 to ${BULK_MAX_ITEMS}, no duplicates.`,
        validate: { schema: items(cashoutIdSchema, (id) => id) },
      }),
      reason: reasonField(t),
    }),
  });

const CancelCashoutsItem = builder.inputType('CancelCashoutsItem', {
  description: 'One cashout to cancel: D24 needs both ids.',
  fields: (t) => ({ cashoutId: cashoutIdField(t), externalId: externalIdField(t) }),
});

const CancelCashoutsInput = builder.inputType('CancelCashoutsInput', {
  description: `Which cashouts to cancel (1 to ${BULK_MAX_ITEMS}, no duplicate cashoutId), for one reason.`,
  fields: (t) => ({
    cashouts: t.field({
      type: [CancelCashoutsItem],
      required: true,
      description: `1 to ${BULK_MAX_ITEMS} cashouts, no duplicate cashoutId.`,
      validate: {
        schema: items(z.object({ cashoutId: z.string(), externalId: z.string() }), (item) => item.cashoutId),
      },
    }),
    reason: reasonField(t),
  }),
});

/** `run` over `list` with at most `limit` at a time; results in input order. Every item runs, whatever others do. */
async function mapLimited<T, R>(
  list: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(list.length);
  let failure: { error: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const index = next++;
      try {
        results[index] = await run(list[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

interface BulkMutation {
  action: ChangeAction;
  field: string;
  typePrefix: string;
  description: string;
  input: ReturnType<typeof idsInput> | typeof CancelCashoutsInput;
}

function defineBulkMutation(mutation: BulkMutation): void {
  const single = STATUS_MUTATIONS[mutation.action];
  const Success = builder.objectRef<{ results: ChangeResult[] }>(`${mutation.typePrefix}Success`).implement({
    description: `${mutation.description} One result per item, in input order.`,
    fields: (t) => ({
      results: t.field({
        type: [single.Result],
        description: 'Each item as the single mutation answers it, in input order.',
        resolve: (payload) => payload.results,
      }),
    }),
  });
  builder.mutationField(mutation.field, (t) =>
    t.field({
      type: Success,
      description: `${mutation.description} The whole input is validated first (nothing is sent if any item is invalid); at most ${BULK_D24_CONCURRENCY} calls to D24 at a time; rate-limited per item.`,
      authScopes: { [single.scope]: true },
      args: { input: t.arg({ type: mutation.input, required: true }) },
      errors: {
        types: [ValidationError],
        directResult: true,
        union: { name: `${mutation.typePrefix}Result` },
      },
      resolve: async (_root, args, context) => {
        const input = args.input as {
          cashoutIds?: string[];
          cashouts?: { cashoutId: string; externalId: string }[];
          reason?: string | null;
        };
        const list = input.cashouts ?? (input.cashoutIds ?? []).map((cashoutId) => ({ cashoutId }));
        const results = await mapLimited(list, BULK_D24_CONCURRENCY, (item) =>
          changeStatus(context, changeRequest(mutation.action, item, input.reason)),
        );
        return { results };
      },
    }),
  );
}

defineBulkMutation({
  action: 'HOLD',
  field: 'holdCashouts',
  typePrefix: 'HoldCashouts',
  description: 'Puts PENDING cashouts ON_HOLD at D24, for one reason.',
  input: idsInput('HoldCashoutsInput', `Which cashouts to hold (1 to ${BULK_MAX_ITEMS}), for one reason.`),
});

defineBulkMutation({
  action: 'RELEASE',
  field: 'releaseCashouts',
  typePrefix: 'ReleaseCashouts',
  description: 'Releases ON_HOLD cashouts back to PENDING at D24, for one reason.',
  input: idsInput(
    'ReleaseCashoutsInput',
    `Which cashouts to release (1 to ${BULK_MAX_ITEMS}), for one reason.`,
  ),
});

defineBulkMutation({
  action: 'CANCEL',
  field: 'cancelCashouts',
  typePrefix: 'CancelCashouts',
  description: 'Cancels PENDING or ON_HOLD cashouts at D24 (final), for one reason.',
  input: CancelCashoutsInput,
});
