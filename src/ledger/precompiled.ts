import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database, Dialect } from './db.js';
import { Lru } from './lru.js';

/** Where a run's value goes: its index in the values the run binds. */
class Slot {
  constructor(readonly index: number) {}
}

/** A placeholder for the run's `index`-th value, typed as whatever the builder wants there. */
export type SlotOf = (index: number) => never;

/** Placeholders for `count` rows of `columns`, row after row: the values to bind are `flatten(rows, columns)`. */
export function slotRows<C extends string>(
  columns: readonly C[],
  count: number,
  slot: SlotOf,
): Record<C, never>[] {
  return Array.from(
    { length: count },
    (_, row) =>
      Object.fromEntries(columns.map((column, i) => [column, slot(row * columns.length + i)])) as Record<
        C,
        never
      >,
  );
}

export function flatten<C extends string>(
  rows: readonly Partial<Record<C, unknown>>[],
  columns: readonly C[],
) {
  return rows.flatMap((row) => columns.map((column) => row[column]));
}

export type PrecompiledQuery<Shape, R> = (
  db: Kysely<Database>,
  dialect: Dialect,
  shape: Shape,
  values: readonly unknown[],
) => Promise<QueryResult<R>>;

/**
 * A query Kysely builds and compiles once per shape (a row count, say) and dialect, not on every run: building and
 * compiling the group commit's statements anew was about a third of its CPU (docs/performance.md, "Ledger write
 * path"). `build` gets only the shape and a placeholder per value, so the SQL cannot depend on anything else; each
 * run binds its values where the placeholders were (`values[i]` for `slot(i)`; undefined binds null).
 */
export function precompiled<Shape extends string | number, R>(
  build: (db: Kysely<Database>, shape: Shape, slot: SlotOf) => CompiledQuery<R>,
): PrecompiledQuery<Shape, R> {
  // Shapes are few (row counts up to the writer's batch); the bound only caps a pathological mix.
  const cache = new Lru<string, { query: CompiledQuery<R>; slots: number[] }>(64);
  return (db, dialect, shape, values) => {
    const { query, slots } = cache.get(`${dialect} ${shape}`, () => {
      const query = build(db, shape, (index) => new Slot(index) as never);
      const slots = query.parameters.map((parameter) => {
        if (parameter instanceof Slot) return parameter.index;
        throw new Error(`A precompiled query has a parameter that is no slot: ${query.sql}`);
      });
      return { query, slots };
    });
    return db.executeQuery<R>({ ...query, parameters: slots.map((index) => values[index] ?? null) });
  };
}
