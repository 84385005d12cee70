import {
  type GraphQLFieldConfig,
  type GraphQLFieldResolver,
  GraphQLObjectType,
  type GraphQLResolveInfo,
  GraphQLSchema,
  getNamedType,
  isUnionType,
} from 'graphql';
import { codesWhere } from '../errors.js';

/** How one root field (a query or a mutation) ended, as the client sees it. */
export interface RootFieldEvent {
  operation: 'query' | 'mutation';
  field: string;
  args: Record<string, unknown>;
  context: unknown;
  /**
   * The union member's typename (e.g. `HoldCashoutSuccess`, `D24UnavailableError`) or, when the field threw, the
   * error's code (`FORBIDDEN`, `RATE_LIMITED`, `UNAUTHENTICATED`) or `INTERNAL_ERROR`.
   */
  resultType: string;
  /** The resolved value (a success payload or one of our error classes), or the thrown error. */
  value: unknown;
  threw: boolean;
  durationMs: number;
}

export type RootFieldObserver = (event: RootFieldEvent) => void;

/**
 * A copy of `schema` whose Query and Mutation fields report to `observe` once each, outside every Pothos wrapper:
 * it sees validation errors, scope refusals and D24 errors alike. The shared schema object is left untouched, so
 * several apps in one process never stack observers.
 */
export function observeRootFields(schema: GraphQLSchema, observe: RootFieldObserver): GraphQLSchema {
  const config = schema.toConfig();
  const replaced = new Map<GraphQLObjectType, GraphQLObjectType>();
  for (const [operation, type] of [
    ['query', config.query],
    ['mutation', config.mutation],
  ] as const) {
    if (!type) continue;
    const typeConfig = type.toConfig();
    const fields: Record<string, GraphQLFieldConfig<unknown, unknown>> = {};
    for (const [name, field] of Object.entries(typeConfig.fields)) {
      fields[name] = { ...field, resolve: observed(operation, name, field.resolve, observe) };
    }
    replaced.set(type, new GraphQLObjectType({ ...typeConfig, fields }));
  }
  const swap = (type: GraphQLObjectType | null | undefined) => (type && replaced.get(type)) ?? type;
  return new GraphQLSchema({
    ...config,
    query: swap(config.query),
    mutation: swap(config.mutation),
    types: config.types.map((type) => (type instanceof GraphQLObjectType ? swap(type) : type) ?? type),
  });
}

function observed(
  operation: RootFieldEvent['operation'],
  field: string,
  resolve: GraphQLFieldResolver<unknown, unknown> | undefined,
  observe: RootFieldObserver,
): GraphQLFieldResolver<unknown, unknown> {
  if (!resolve) throw new Error(`root field ${field} has no resolver`);
  return async (root, args, context, info) => {
    const started = performance.now();
    const report = (value: unknown, threw: boolean, resultType: string) =>
      observe({
        operation,
        field,
        args,
        context,
        value,
        threw,
        resultType,
        durationMs: performance.now() - started,
      });
    let value: unknown;
    try {
      value = await resolve(root, args, context, info);
    } catch (error) {
      report(error, true, refusalCode(error));
      throw error;
    }
    report(value, false, await typenameOf(value, context, info));
    return value;
  };
}

/** Which member of the field's result union `value` becomes: asks the union, as graphql-js will. */
async function typenameOf(value: unknown, context: unknown, info: GraphQLResolveInfo): Promise<string> {
  const type = getNamedType(info.returnType);
  if (!isUnionType(type)) return type.name;
  const resolved = await type.resolveType?.(value, context, info, type);
  return typeof resolved === 'string' ? resolved : 'UNKNOWN';
}

/** Refusals a root field's event names (`refusesField` in TOP_LEVEL_ERRORS); anything else thrown is INTERNAL_ERROR. */
const REFUSAL_CODES = codesWhere('refusesField');

/** A thrown error's code as clients see it (`extensions.code`, or Pothos scope-auth's `code`). */
export function refusalCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const { extensions, code } = error as { extensions?: { code?: unknown }; code?: unknown };
    for (const candidate of [extensions?.code, code]) {
      if (typeof candidate === 'string' && REFUSAL_CODES.has(candidate)) return candidate;
    }
  }
  return 'INTERNAL_ERROR';
}
