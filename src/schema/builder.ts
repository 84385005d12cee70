import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import ScopeAuthPlugin, { type AuthFailure } from '@pothos/plugin-scope-auth';
import ZodPlugin from '@pothos/plugin-zod';
import { type Context, SCOPES, type Scope } from '../context.js';
import { CODE, topLevelError } from '../server/errors.js';
import { ValidationError } from './validation.js';

export type { Context, Principal, Scope } from '../context.js';
export { SCOPES } from '../context.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: Record<Scope, boolean>;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
  };
  DefaultFieldNullability: false;
}>({
  // docs/contract.md's fields are non-null unless marked; the few nullable ones say so where they are defined.
  defaultFieldNullability: false,
  // Order matters: auth runs outermost (its failures stay top-level), then errors catches what validation throws.
  plugins: [ScopeAuthPlugin, ErrorsPlugin, ZodPlugin],
  scopeAuth: {
    // A subscription's scope is checked once, when it starts, not on every event.
    authorizeOnSubscribe: true,
    // A top-level error with a stable code; the field's resolver (and so D24) never runs.
    unauthorizedError: (_parent, _context, info, result) =>
      topLevelError(
        CODE.FORBIDDEN,
        `Not allowed: ${info.fieldName} needs the scope ${scopesIn(result.failure).join(' or ')}`,
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
