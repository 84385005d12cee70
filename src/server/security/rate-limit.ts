import { type DocumentNode, getOperationAST, valueFromASTUntyped } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../context.js';
import { bulkCost, isBulkField } from '../../schema/bulk-items.js';
import { rootFields } from '../auth/refused-fields.js';
import { CODE, topLevelError } from '../errors.js';

export interface RateLimitDecision {
  allowed: boolean;
  /** When `allowed` is false: how long until `cost` units are available again. */
  retryAfterMs: number;
}

/**
 * Where mutation budgets live. The in-memory store counts per replica; a shared store (e.g. Redis, with the same
 * token bucket in a Lua script keyed by principal) makes the limit hold across replicas.
 */
export interface RateLimitStore {
  take(key: string, cost: number, now: number): Promise<RateLimitDecision>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key: `limit` units, refilled evenly over `windowMs`. Memory is bounded: at most `maxKeys`
 * buckets, the least recently used dropped first (an idle bucket is full, so dropping it changes nothing).
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly buckets = new Map<string, Bucket>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor(options: { limit: number; windowMs?: number; maxKeys?: number }) {
    this.limit = options.limit;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  async take(key: string, cost: number, now: number): Promise<RateLimitDecision> {
    const rate = this.limit / this.windowMs;
    const previous = this.buckets.get(key);
    const bucket = previous
      ? { tokens: Math.min(this.limit, previous.tokens + Math.max(0, now - previous.at) * rate), at: now }
      : { tokens: this.limit, at: now };
    // Re-inserting keeps the Map in least-recently-used order.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    for (const oldest of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(oldest);
    }
    const need = Math.min(cost, this.limit);
    if (bucket.tokens >= need) {
      bucket.tokens -= need;
      return { allowed: true, retryAfterMs: 0 };
    }
    return { allowed: false, retryAfterMs: Math.ceil((need - bucket.tokens) / rate) };
  }

  /** How many keys are tracked (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }
}

export interface MutationRateLimit {
  plugin: Plugin<Context>;
  /** Takes `cost` units from the principal's budget; false when they are not there (nothing is taken then). */
  allows(subject: string, cost: number): Promise<boolean>;
}

/**
 * Refuses a mutation operation, before it runs, when its principal has used up `limitPerMinute` mutation items
 * (an operation with three aliased mutations costs three; a bulk mutation one per item). Queries are not limited; a limit of 0 turns it off.
 */
export function createMutationRateLimit(options: {
  store: RateLimitStore;
  limitPerMinute: number;
  now?: () => number;
}): MutationRateLimit {
  const now = options.now ?? Date.now;
  if (options.limitPerMinute <= 0) return { plugin: {}, allows: async () => true };
  return {
    allows: async (subject, cost) => cost === 0 || (await options.store.take(subject, cost, now())).allowed,
    plugin: {
      async onExecute({ args, setResultAndStopExecution }) {
        const cost = mutationCost(args.document, args.operationName, args.variableValues);
        if (cost === 0) return;
        const { principal } = args.contextValue as Context;
        const decision = await options.store.take(principal.subject, cost, now());
        if (decision.allowed) return;
        const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
        setResultAndStopExecution({
          errors: [
            topLevelError(
              CODE.RATE_LIMITED,
              `Too many mutations: at most ${options.limitPerMinute} a minute per caller; retry in ${retryAfterSeconds} s`,
              { retryAfterSeconds, http: { headers: { 'Retry-After': `${retryAfterSeconds}` } } },
            ),
          ],
        });
      },
    },
  };
}

/**
 * What an operation costs against the rate limit: one per mutation field, and one per item of a bulk field (0 for a
 * query). `variables` are the request's, as sent.
 */
export function mutationCost(
  document: DocumentNode,
  operationName?: string | null,
  variables?: Record<string, unknown> | null,
): number {
  return mutationCostOf(document, operationName)(variables);
}

/** The cost as a function of the variables: a constant unless the operation has a bulk field. */
export function mutationCostOf(
  document: DocumentNode,
  operationName?: string | null,
): (variables?: Record<string, unknown> | null) => number {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'mutation') return () => 0;
  const fields = rootFields(operation.selectionSet, document);
  if (!fields.some((field) => isBulkField(field.name.value))) {
    const fixed = fields.length;
    return () => fixed;
  }
  return (variables) =>
    fields.reduce((sum, field) => {
      const args: Record<string, unknown> = {};
      for (const arg of field.arguments ?? []) {
        args[arg.name.value] = valueFromASTUntyped(arg.value, variables ?? undefined);
      }
      return sum + bulkCost(field.name.value, args);
    }, 0);
}
