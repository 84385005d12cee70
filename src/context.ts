import type { Logger } from 'pino';
import type { D24Client } from './d24/client.js';
import type { Ledger } from './ledger/index.js';
import type { Live } from './live/index.js';

// What every request carries, apart from the schema: auth and src/tools/mint-token.ts read it without loading Pothos.

export const SCOPES = ['cashouts:read', 'cashouts:cancel', 'cashouts:hold', 'cashouts:release'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: a token's subject and scopes, or the local developer on the sandbox. */
export interface Principal {
  subject: string;
  scopes: ReadonlySet<string>;
  /** When the token expires (ms since the epoch); absent when authentication is off. Ends subscription streams. */
  expiresAt?: number;
}

/** Built per request by the server; resolvers take the D24 client from here, never from a module. */
export interface Context {
  d24: D24Client;
  /** The cashout ledger: every status change and observation is recorded there. */
  ledger: Ledger;
  requestId: string;
  /** The request's logger: every line carries `requestId`. */
  log: Logger;
  principal: Principal;
  /** Subscriptions: the replica's one PubSub and ledger reader, made once at start-up. */
  live: Live;
}
