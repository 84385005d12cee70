import type { ExecutionResult } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { BULK_FIELDS, isBulkField } from '../../schema/bulk-items.js';
import { CHANGES } from '../../schema/change-status.js';
import {
  type Execution,
  type FieldRecord,
  fieldRecords,
  namedMutation,
  validatedFields,
} from '../auth/refused-fields.js';
import { codesWhere } from '../errors.js';
import { requestIdOf } from '../http/request-id.js';
import { type RootFieldEvent, refusalCode } from './root-fields.js';

/** One line of the audit trail: who asked what of which cashout, and how it ended. */
export interface AuditEvent {
  /** The token's `sub`, `sandbox-developer`, or null when the caller was not authenticated. */
  actor: string | null;
  /**
   * The mutation field, e.g. `holdCashout` (a bulk field, e.g. `holdCashouts`, writes one event per item); `mutation`
   * for an unauthenticated request naming none or several.
   */
  operation: string;
  cashoutId: string | null;
  externalId?: string;
  /** The union member's typename, or `UNAUTHENTICATED` / `FORBIDDEN` / `RATE_LIMITED` / `INTERNAL_ERROR` … */
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
  /** Writes the events of requests refused before any field ran (auth, rate limit). */
  plugin: Plugin;
}

interface AuditContext {
  request?: Request;
  requestId?: string;
  principal?: { subject: string };
}

interface Pending {
  params: GraphQLParams;
  started: number;
  context?: AuditContext;
  execution?: Execution;
}

/** Refusals before execution that the trail records (`refusesRequest` in TOP_LEVEL_ERRORS). */
const REFUSALS = codesWhere('refusesRequest');

/**
 * The audit trail: one event per mutation field a client sent, executed or refused (a document with two mutation
 * fields yields two); queries are not audited. A refusal is recorded from what the service checked, never from raw
 * input: an authenticated refusal (rate limit) names the fields of the validated document and the ids its coerced
 * variables hold; an unauthenticated one is a single event per request naming no id (docs/security.md).
 */
export function createAudit(options: { logger: Logger }): Audit {
  const { logger } = options;
  const auditedRequests = new WeakSet<Request>();
  const pending = new WeakMap<Request, Pending>();

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
      // A bulk field: one event per item, each with that item's own result once it ran.
      const results = event.threw ? undefined : (event.value as { results?: unknown }).results;
      fieldRecords(event.field, event.args).forEach((ids, index) => {
        const value = Array.isArray(results) ? results[index] : event.threw ? {} : event.value;
        const resultType = Array.isArray(results) ? itemResultType(event.field, value) : event.resultType;
        write({ ...base, ...ids, resultType, ...outcomeOf(value) });
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
      onExecute({ args }) {
        const request = (args.contextValue as AuditContext).request;
        const entry = request && pending.get(request);
        if (!entry) return;
        entry.execution = {
          schema: args.schema,
          document: args.document,
          operationName: args.operationName,
          variables: args.variableValues,
        };
      },
      onResultProcess({ request, result }) {
        const entry = pending.get(request);
        if (!entry || auditedRequests.has(request) || !isSingleResult(result)) return;
        const resultType = result.errors?.map(refusalCodeOf).find((code) => REFUSALS.has(code));
        if (!resultType) return;
        auditedRequests.add(request);
        const base = {
          actor: entry.context?.principal?.subject ?? null,
          resultType,
          durationMs: Math.round(performance.now() - entry.started),
          requestId: requestIdOf(request),
        };
        let fields: FieldRecord[];
        try {
          fields = refusedFields(entry);
        } catch (error) {
          // Unreachable by design; the refusal keeps its status and its event whatever went wrong here.
          logger.warn({ err: error, requestId: base.requestId }, 'audit: refused request not readable');
          fields = [{ operation: 'mutation', cashoutId: null }];
        }
        for (const field of fields) write({ ...base, ...field });
      },
    },
  };
}

/** What a refused request's events may say (see `createAudit`); empty when it was not a mutation. */
function refusedFields(entry: Pending): FieldRecord[] {
  const { execution } = entry;
  if (execution && entry.context?.principal) return validatedFields(execution);
  const operation = namedMutation(entry.params);
  return operation ? [{ operation, cashoutId: null }] : [];
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
    ...(typeof detail === 'string' && { detail }),
  };
}

/** A request refusal's own code, else what a refused field would say (a request refusal may refuse no field). */
function refusalCodeOf(error: unknown): string {
  const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
  return typeof code === 'string' && REFUSALS.has(code) ? code : refusalCode(error);
}

function isSingleResult(result: unknown): result is ExecutionResult {
  return (
    !!result && typeof result === 'object' && !Array.isArray(result) && !(Symbol.asyncIterator in result)
  );
}
