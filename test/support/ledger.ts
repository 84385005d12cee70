import { pino } from 'pino';
import { type Ledger, openLedger } from '../../src/ledger/index.js';

/** A real ledger on in-memory SQLite, for apps a test builds itself. */
export function memoryLedger(): Promise<Ledger> {
  return openLedger({ target: { kind: 'sqlite', path: ':memory:' }, logger: pino({ level: 'silent' }) });
}
