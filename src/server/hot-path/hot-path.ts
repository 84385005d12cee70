// The hot path's decisions: which request it serves, with what, or hands to Yoga. Wire, answer and mirror are beside it.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  type OperationDefinitionNode,
} from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Context, Principal } from '../../context.js';
import type { Authenticator } from '../auth/auth.js';
import type { Yoga } from '../http/create-yoga.js';
import { logRequest, requestIdFrom } from '../http/request-id.js';
import type { Metrics } from '../observability/metrics.js';
import { CACHE_LIMITS } from '../security/armor.js';
import { BoundedCache } from '../security/bounded-cache.js';
import { type MutationRateLimit, mutationCostOf } from '../security/rate-limit.js';
import type { CompileQuery } from './lazy-jit.js';
import { firstHeader, isHotCandidate, keyOf, parseBody, readBody } from './request.js';
import { answerFailure, sendResult, viaYoga } from './respond.js';
import { phaseOperationType, responseMediaType, rootFieldScopes } from './yoga-mirror.js';

/**
 * The hot path: a POST of an operation Yoga has already accepted once, answered without Yoga's HTTP and plugin
 * layers — in `npm run bench` those were about two thirds of the CPU per answer the service added to a bare proxy's.
 *
 * It serves only what it can answer exactly as Yoga would, and hands everything else to Yoga untouched:
 * - the document (by its text or its persisted id, with its operation name) went through Yoga's whole pipeline before
 *   — CSRF, trusted documents, parsing, every validation rule and limit — so only its key is looked up here;
 * - the request is a plain JSON POST to /graphql within the body limit, asking for a JSON answer (with the CORS
 *   headers Yoga would add, from the same options);
 * - the caller authenticates (the same authenticator and token cache as Yoga's path), holds every scope the
 *   operation's fields need, and has the rate-limit budget for it (the same store); the variables coerce.
 * Anything else — a first sight, a refusal, a bad request — goes to Yoga, which answers it with its status and
 * error. The request id, the audit trail and the Prometheus series are the same on both paths: the audit and the
 * result counts come from the schema (`observeRootFields`), the request id and the HTTP series from this file.
 */
export interface HotPath {
  /** The node:http listener: the hot path, or `yoga` (made after the hot path, whose plugin it runs). */
  listenerFor(yoga: Yoga): RequestListener;
  /** Records each operation Yoga accepts; must come before any plugin that rewrites params (trusted documents). */
  plugin: Plugin;
  /** How many requests the hot path answered (tests check that it was taken). */
  served(): number;
  /** graphql-jit has loaded (or failed to): from then on a document Yoga has accepted can be served here. */
  ready: Promise<void>;
  /** How many operations it holds prepared (bounded by CACHE_LIMITS). */
  prepared(): number;
}

export interface HotPathDeps {
  authenticate: Authenticator;
  rateLimit: MutationRateLimit;
  compileQuery(): CompileQuery | undefined;
  /** Settles when `compileQuery` will answer for good. */
  jitReady: Promise<void>;
  contextFor(requestId: string, principal: Principal): Context;
  logger: Logger;
  metrics?: Metrics;
  maxBodyBytes: number;
  /** The error masking Yoga is given too (production: an unexpected error says only "Unexpected error."). */
  maskError?: (error: GraphQLError) => GraphQLError;
}

interface Prepared {
  /** The schema Yoga executed it on (the one with the audit and metrics observers). */
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  /** The execute phase's metrics label (not always the operation's type: see phaseOperationType). */
  phaseOperationType: string | undefined;
  /** Per root field, the scopes any one of which it needs (Pothos scope-auth's `authScopes`). */
  scopes: string[][];
  cost: (variables: Record<string, unknown>) => number;
  /** graphql-jit's function; null when it would not compile (then always Yoga's path). */
  compiled?: CompiledQuery | null;
}

export function createHotPath(deps: HotPathDeps): HotPath {
  // Oldest first out, not an LRU: an LRU's bookkeeping cost 1% of a request in `npm run bench`.
  const prepared = new BoundedCache<Prepared>(CACHE_LIMITS.prepared, CACHE_LIMITS.preparedChars);
  const keys = new WeakMap<Request, string>();
  let served = 0;
  const fallBack = (yoga: Yoga, req: IncomingMessage, res: ServerResponse, body: Buffer) =>
    viaYoga(yoga, req, res, body).catch((error: unknown) => answerFailure(res, error, deps.logger));

  async function serve(
    yoga: Yoga,
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
  ): Promise<void> {
    const raw = await readBody(req);
    if (!raw) return; // the client went away mid-body
    const params = parseBody(raw);
    const key = params && keyOf(params as Record<string, unknown>);
    const entry = key ? prepared.get(key) : undefined;
    const compiled = entry && compiledOf(entry);
    const mediaType = responseMediaType(req.headers.accept);
    if (!params || !entry || !compiled || !mediaType) return fallBack(yoga, req, res, raw);
    const variables = params.variables ?? {};
    if (getVariableValues(entry.schema, entry.operation.variableDefinitions ?? [], variables).errors) {
      return fallBack(yoga, req, res, raw);
    }
    let principal: Principal;
    try {
      principal = await deps.authenticate(req.headers.authorization);
    } catch {
      return fallBack(yoga, req, res, raw);
    }
    // Scopes before the budget, as on Yoga's path (a refused field is charged there only once, by Yoga).
    if (!entry.scopes.every((anyOf) => anyOf.some((scope) => principal.scopes.has(scope)))) {
      return fallBack(yoga, req, res, raw);
    }
    if (!(await deps.rateLimit.allows(principal.subject, entry.cost(variables))))
      return fallBack(yoga, req, res, raw);

    served++;
    const requestId = requestIdFrom(firstHeader(req.headers['x-request-id']));
    const executeStarted = Date.now();
    const result = (await compiled.query(
      undefined,
      deps.contextFor(requestId, principal),
      variables,
    )) as ExecutionResult;
    const operationType = entry.operation.operation;
    const executeSeconds = (Date.now() - executeStarted) / 1000;
    const status = await sendResult(yoga, req, res, {
      result,
      mediaType,
      requestId,
      maskError: deps.maskError,
    });
    deps.metrics?.observeHotRequest({
      operationType,
      phaseOperationType: entry.phaseOperationType,
      status,
      httpSeconds: (Date.now() - started) / 1000,
      executeSeconds,
      errors: result.errors?.length ?? 0,
    });
    if (deps.logger.isLevelEnabled('debug')) {
      logRequest(deps.logger, {
        requestId,
        method: 'POST',
        path: '/graphql',
        status,
        durationMs: Date.now() - started,
      });
    }
  }

  function compiledOf(entry: Prepared): Prepared['compiled'] {
    if (entry.compiled !== undefined) return entry.compiled;
    const compileQuery = deps.compileQuery();
    if (!compileQuery) return undefined; // not loaded yet: Yoga's path until it is
    const compiled = compileQuery(entry.schema, entry.document, entry.operationName);
    entry.compiled = 'query' in compiled ? compiled : null;
    return entry.compiled;
  }

  return {
    listenerFor(yoga) {
      return (req, res) => {
        if (!isHotCandidate(req, deps.maxBodyBytes)) {
          yoga(req, res);
          return;
        }
        serve(yoga, req, res, Date.now()).catch((error: unknown) => answerFailure(res, error, deps.logger));
      };
    },
    plugin: {
      onParams({ params, request }) {
        const key = keyOf(params as Record<string, unknown>);
        if (key) keys.set(request, key);
      },
      // Reached only once auth, CSRF, trusted documents, parsing and validation have all passed.
      onExecute({ args }) {
        const request = (args.contextValue as { request?: Request }).request;
        const key = request && keys.get(request);
        if (!key || prepared.get(key)) return;
        const operation = getOperationAST(args.document, args.operationName);
        if (!operation || operation.operation === 'subscription') return;
        prepared.set(key, {
          schema: args.schema,
          document: args.document,
          operation,
          operationName: args.operationName ?? undefined,
          phaseOperationType: phaseOperationType(args.document),
          scopes: rootFieldScopes(args.schema, operation),
          cost: mutationCostOf(args.document, args.operationName),
        });
      },
    },
    served: () => served,
    ready: deps.jitReady,
    prepared: () => prepared.size,
  };
}
