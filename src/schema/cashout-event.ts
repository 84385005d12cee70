// PROVISIONAL: stands in for the ledger's CashoutEvent type until its schema file lands (then this file goes).
import type { LedgerEvent } from '../ledger/types.js';
import { builder } from './builder.js';
import { CashoutRef } from './cashout.js';

export const CashoutEventRef = builder.objectRef<LedgerEvent>('CashoutEvent').implement({
  description: 'One ledger event about a cashout.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Opaque, increasing in commit order; a cursor for `after`.' }),
    cashoutId: t.exposeID('cashoutId', { description: "D24's id." }),
    at: t.exposeString('at', { description: 'When it was written.' }),
    action: t.exposeString('action', { description: 'What happened.' }),
    actor: t.exposeString('actor', { nullable: true, description: "The token's sub for operator actions." }),
    resultType: t.exposeString('resultType', { description: 'The union member the caller got.' }),
    changed: t.exposeBoolean('changed', { description: "Whether the cashout's status changed." }),
    cashout: t.field({
      type: CashoutRef,
      nullable: true,
      description: 'The cashout as known right after this event.',
      resolve: (event) => event.cashout,
    }),
  }),
});
