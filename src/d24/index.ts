export type { CashoutState } from './answer.js';
export type {
  CallContext,
  CashoutLookup,
  D24CallEvent,
  D24ClientOptions,
  D24Credentials,
  StatusChange,
} from './client.js';
export { D24Client } from './client.js';
export * from './errors.js';
export { sign } from './sign.js';
export type { CashoutStatus } from './wire.js';
export { CASHOUT_STATUSES } from './wire.js';
