import type { ObjectRef } from '@pothos/core';
import { BadCursorError } from '../ledger/cursors.js';
import { LedgerUnavailableError, type Page } from '../ledger/index.js';
import { CODE, topLevelError } from '../server/errors.js';
import { builder } from './builder.js';

// Relay-style connections, built by hand with docs/contract.md's names (PageInfo has only what the contract names).

const PageInfoRef = builder.objectRef<Page<unknown>>('PageInfo').implement({
  description: 'Where a page ends, and whether more follow (forward pagination: pass endCursor as `after`).',
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage', { description: 'Whether another page follows this one.' }),
    endCursor: t.exposeString('endCursor', {
      nullable: true,
      description: "The last edge's cursor; null on an empty page.",
    }),
  }),
});

/** `<Name>Connection` and `<Name>Edge` over pages of `node`; `cursorOf` gives each edge's cursor. */
export function defineConnection<T>(
  name: string,
  node: ObjectRef<Types, T>,
  cursorOf: (item: T) => string,
  description: string,
) {
  const Edge = builder.objectRef<T>(`${name}Edge`).implement({
    description: `One ${description} and its cursor.`,
    fields: (t) => ({
      cursor: t.string({ description: 'Pass as `after` to get what follows this edge.', resolve: cursorOf }),
      // Pothos cannot check a generic node type; the edge's item is the node.
      node: t.field({ type: node, description: `The ${description}.`, resolve: (item) => item as never }),
    }),
  });
  return builder.objectRef<Page<T>>(`${name}Connection`).implement({
    description: `A page of ${description}s.`,
    fields: (t) => ({
      edges: t.field({ type: [Edge], description: 'This page, in order.', resolve: (page) => page.items }),
      pageInfo: t.field({ type: PageInfoRef, description: 'Whether more follow.', resolve: (page) => page }),
    }),
  });
}

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

/** `first` checked against docs/contract.md's 1–100: a top-level BAD_USER_INPUT error otherwise. */
export function pageSize(first: number | null | undefined, fallback: number): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw topLevelError(CODE.BAD_USER_INPUT, 'first must be from 1 to 100');
  }
  return size;
}

/** A ledger read, with its failures as the top-level errors clients see (LEDGER_UNAVAILABLE, BAD_USER_INPUT). */
export async function fromLedger<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof LedgerUnavailableError) {
      throw topLevelError(error.code, error.message);
    }
    if (error instanceof BadCursorError) {
      throw topLevelError(CODE.BAD_USER_INPUT, error.message);
    }
    throw error;
  }
}
