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
import { requestIdOf } from './request-id.js';
import { type RootFieldEvent, refusalCode } from './root-fields.js';

/** One line of the audit trail: who asked what of which cashout, and how it ended. */
export interface AuditEvent {
  /** The token's `sub`, `sandbox-developer`, or null when the caller was not authenticated. */
  actor: string | null;
  /** The mutation field, e.g. `holdCashout`. */
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
      const input = (event.args.input ?? {}) as Record<string, unknown>;
      const value = (event.threw ? {} : event.value) as {
        code?: unknown;
        outcome?: AuditEvent['outcome'];
        changed?: boolean;
        detail?: string;
      };
      write({
        actor: context.principal?.subject ?? null,
        operation: event.field,
        cashoutId: clip(input.cashoutId) ?? null,
        ...(input.externalId !== undefined && { externalId: clip(input.externalId) }),
        resultType: event.resultType,
        ...(typeof value.code === 'number' && { d24Code: value.code }),
        ...(value.outcome && { outcome: value.outcome }),
        ...(typeof value.changed === 'boolean' && { changed: value.changed }),
        ...(value.detail && { detail: value.detail }),
        durationMs: Math.round(event.durationMs),
        requestId: context.requestId ?? (context.request ? requestIdOf(context.request) : 'unknown'),
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
          const input = (args.input ?? {}) as Record<string, unknown>;
          write({
            actor: entry.context?.principal?.subject ?? null,
            operation: selection.name.value,
            cashoutId: clip(input.cashoutId) ?? null,
            ...(input.externalId !== undefined && { externalId: clip(input.externalId) }),
            resultType: code,
            durationMs: Math.round(performance.now() - entry.started),
            requestId: requestIdOf(request),
          });
        }
      },
    },
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
