import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import ScopeAuthPlugin, { type AuthFailure } from '@pothos/plugin-scope-auth';
import ZodPlugin from '@pothos/plugin-zod';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { D24Client } from '../d24/client.js';
import type { Ledger } from '../ledger/index.js';
import type { Live } from '../live/index.js';
import { ValidationError } from './validation.js';

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

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: Record<Scope, boolean>;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
  };
  DefaultFieldNullability: false;
}>({
  // CONTRACT.md's fields are non-null unless marked; the few nullable ones say so where they are defined.
  defaultFieldNullability: false,
  // Order matters: auth runs outermost (its failures stay top-level), then errors catches what validation throws.
  plugins: [ScopeAuthPlugin, ErrorsPlugin, ZodPlugin],
  scopeAuth: {
    // A subscription's scope is checked once, when it starts, not on every event.
    authorizeOnSubscribe: true,
    // A top-level error with a stable code; the field's resolver (and so D24) never runs.
    unauthorizedError: (_parent, _context, info, result) =>
      new GraphQLError(
        `Not allowed: ${info.fieldName} needs the scope ${scopesIn(result.failure).join(' or ')}`,
        {
          extensions: { code: 'FORBIDDEN' },
        },
      ),
    authScopes: (context) =>
      Object.fromEntries(SCOPES.map((scope) => [scope, context.principal.scopes.has(scope)])) as Record<
        Scope,
        boolean
      >,
  },
  errors: { defaultTypes: [] },
  zod: { validationError: (zodError) => ValidationError.fromZod(zodError) },
});

function scopesIn(failure: AuthFailure): string[] {
  if ('failures' in failure) return failure.failures.flatMap(scopesIn);
  return 'scope' in failure ? [failure.scope] : [];
}
