import { type Ledger, LedgerUnavailableError } from './types.js';

/**
 * No ledger at all (LEDGER_DISABLED=true): for measuring what the ledger costs (`npm run bench`'s "ledger off"
 * row), never for operating. Events are not kept; history and cashouts answer LEDGER_UNAVAILABLE.
 */
export function disabledLedger(): Ledger {
  const unavailable = () => Promise.reject(new LedgerUnavailableError('the ledger is disabled'));
  return {
    status: 'up',
    waiting: 0,
    record: async () => null,
    observe: async () => null,
    cashout: unavailable,
    history: unavailable,
    list: unavailable,
    eventsAfter: unavailable,
    hasEvent: unavailable,
    onCommitted: () => () => {},
    cashoutsToReconcile: unavailable,
    markChecked: unavailable,
    close: async () => {},
  };
}
