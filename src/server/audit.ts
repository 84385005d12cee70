import {
  type ExecutionResult,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  parse,
  valueFromASTUntyped,
} from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { BULK_FIELDS, isBulkField, type SentItem, sentItems } from '../schema/bulk-items.js';
import { CHANGES } from '../schema/change-status.js';
import { requestIdOf } from './request-id.js';
import { type RootFieldEvent, refusalCode } from './root-fields.js';

/** One line of the audit trail: who asked what of which cashout, and how it ended. */
export interface AuditEvent {
  /** The token's `sub`, `sandbox-developer`, or null when the caller was not authenticated. */
  actor: string | null;
  /** The mutation field, e.g. `holdCashout` (a bulk field writes one event per item, e.g. `holdCashouts`). */
  operation: string;
  cashoutId: string | null;
  externalId?: string;
  /** The union member's typename, or `UNAUTHENTICATED` / `FORBIDDEN` / `RATE_LIMITED` / `INTERNAL_ERROR`. */
  resultType: string;
  /** D24's code, when one is known (509, 510, 300 …). */
  d24Code?: number;
  /** For `D24UnavailableError`: whether the change may have happened. */
  outcome?: 'NOT_APPLIED' | 'UNKNOWN';
  /** For a success: false when it was a safe replay. */
  changed?: boolean;
  /** For `D24UnavailableError`: the transport's reason (`ECONNREFUSED`, `timeout` …). */
  detail?: string;
  durationMs: number;
  requestId: string;
}

export interface Audit {
  /** Feed with `observeRootFields`: writes one event per executed mutation field. */
  observe(event: RootFieldEvent): void;
  /** Writes one event per mutation field for requests refused before any field ran (auth, rate limit). */
  plugin: Plugin;
}

interface AuditContext {
  request?: Request;
  requestId?: string;
  principal?: { subject: string };
}

/**
 * The audit trail: exactly one event per mutation field a client sent, executed or refused. A document with two
 * mutation fields yields two events. Queries are not audited.
 */
export function createAudit(options: { logger: Logger }): Audit {
  const { logger } = options;
  const auditedRequests = new WeakSet<Request>();
  const pending = new WeakMap<Request, { params: GraphQLParams; started: number; context?: AuditContext }>();

  const write = (event: AuditEvent) => logger.info(event, 'audit');

  return {
    observe(event) {
      if (event.operation !== 'mutation') return;
      const context = event.context as AuditContext;
      if (context.request) auditedRequests.add(context.request);
      const base = {
        actor: context.principal?.subject ?? null,
        operation: event.field,
        durationMs: Math.round(event.durationMs),
        requestId: context.requestId ?? (context.request ? requestIdOf(context.request) : 'unknown'),
      };
      // A bulk success: one event per item, with that item's result.
      const results = event.threw ? undefined : (event.value as { results?: unknown }).results;
      const items = auditedItems(event.field, event.args);
      items.forEach((item, index) => {
        const value = Array.isArray(results) ? results[index] : event.threw ? {} : event.value;
        const resultType = Array.isArray(results) ? itemResultType(event.field, value) : event.resultType;
        write({ ...base, ...item, resultType, ...outcomeOf(value) });
      });
    },
    plugin: {
      onParams({ params, request }) {
        pending.set(request, { params, started: performance.now() });
      },
      onContextBuilding() {
        return ({ context }) => {
          const entry = pending.get(context.request);
          if (entry) entry.context = context as AuditContext;
        };
      },
      onResultProcess({ request, result }) {
        const entry = pending.get(request);
        if (!entry || auditedRequests.has(request) || !isSingleResult(result)) return;
        const code = result.errors?.map(refusalCode).find((c) => c !== 'INTERNAL_ERROR');
        if (!code) return;
        const operation = mutationOf(entry.params);
        if (!operation) return;
        auditedRequests.add(request);
        for (const selection of operation.selectionSet.selections) {
          if (selection.kind !== Kind.FIELD) continue;
          const args: Record<string, unknown> = {};
          for (const arg of selection.arguments ?? []) {
            args[arg.name.value] = valueFromASTUntyped(arg.value, entry.params.variables ?? undefined);
          }
          for (const item of auditedItems(selection.name.value, args)) {
            write({
              actor: entry.context?.principal?.subject ?? null,
              operation: selection.name.value,
              ...item,
              resultType: code,
              durationMs: Math.round(performance.now() - entry.started),
              requestId: requestIdOf(request),
            });
          }
        }
      },
    },
  };
}

/** Who the event is about: the mutation's cashout, or each item of a bulk one (as sent, cut short). */
function auditedItems(
  field: string,
  args: Record<string, unknown>,
): { cashoutId: string | null; externalId?: string }[] {
  const sent = isBulkField(field) ? sentItems(field, args) : [(args.input ?? {}) as SentItem];
  return (sent?.length ? sent : [{ cashoutId: null }]).map((item) => ({
    cashoutId: clip(item.cashoutId) ?? null,
    ...(item.externalId !== undefined && { externalId: clip(item.externalId) }),
  }));
}

/** A bulk item's union member: its error's name, or the single mutation's success type. */
function itemResultType(field: string, value: unknown): string {
  if (value instanceof Error) return value.name;
  return isBulkField(field) ? CHANGES[BULK_FIELDS[field]].success : 'UNKNOWN';
}

function outcomeOf(value: unknown): Partial<AuditEvent> {
  const { code, outcome, changed, detail } = (value ?? {}) as {
    code?: unknown;
    outcome?: AuditEvent['outcome'];
    changed?: unknown;
    detail?: unknown;
  };
  return {
    ...(typeof code === 'number' && { d24Code: code }),
    ...(outcome && { outcome }),
    ...(typeof changed === 'boolean' && { changed }),
    ...(typeof detail === 'string' && detail && { detail }),
  };
}

function isSingleResult(result: unknown): result is ExecutionResult {
  return (
    !!result && typeof result === 'object' && !Array.isArray(result) && !(Symbol.asyncIterator in result)
  );
}

/** The request's mutation operation, or null (a query, or a document that does not parse). */
function mutationOf(params: GraphQLParams): OperationDefinitionNode | null {
  if (!params.query) return null;
  try {
    const operation = getOperationAST(parse(params.query), params.operationName);
    return operation?.operation === 'mutation' ? operation : null;
  } catch {
    return null;
  }
}

// Input that failed validation can be anything; the audit line stays small.
function clip(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  return text.length > 128 ? `${text.slice(0, 128)}…` : text;
}
