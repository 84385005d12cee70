// Over 200 lines: recording, serving and the fallback to Yoga are still one file; splitting them is unfinished.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { getCORSHeadersByRequestAndOptions, sendNodeResponse } from '@whatwg-node/server';
import {
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
} from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import { type Plugin, processRegularResult, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Context, Principal } from '../../context.js';
import type { Authenticator } from '../auth/auth.js';
import { logRequest, requestIdFrom } from '../http/request-id.js';
import type { Metrics } from '../observability/metrics.js';
import { CACHE_LIMITS, CORS, persistedDocumentIdOf } from '../security/armor.js';
import { BoundedCache } from '../security/bounded-cache.js';
import { type MutationRateLimit, mutationCostOf } from '../security/rate-limit.js';
import type { CompileQuery } from './lazy-jit.js';

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

type Yoga = YogaServerInstance<Record<string, never>, Context>;

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
  /** Per root field, the scopes any one of which it needs (Pothos scope-auth's `authScopes`). */
  scopes: string[][];
  cost: (variables: Record<string, unknown>) => number;
  /** graphql-jit's function; null when it would not compile (then always Yoga's path). */
  compiled?: CompiledQuery | null;
}

type HotBody = {
  query?: string;
  documentId?: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
};

const JSON_TYPE = /^application\/json(?:;\s*charset=utf-8)?$/i;
const DIGITS = /^\d+$/;
const HOT_BODY_KEYS = new Set(['query', 'documentId', 'operationName', 'variables', 'extensions']);

/**
 * The document a request names, as a cache key: `id:<persisted document id>` (read as trusted documents read it) or
 * `q:<text>`, then the operation name. Null for shapes the hot path leaves to Yoga (an id and a text together).
 */
function keyOf(params: Record<string, unknown>): string | null {
  const { query, documentId, operationName, extensions } = params;
  if (extensions != null && typeof extensions !== 'object') return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  const name = operationName ?? '';
  const id = persistedDocumentIdOf(params);
  if (id !== null) return query === undefined ? `id:${id}\n${name}` : null;
  return typeof query === 'string' && documentId === undefined ? `q:${query}\n${name}` : null;
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
    let status = 200;
    if (result.errors?.length) {
      // Only an unexpected failure gets here (refusals went to Yoga): masked and answered as Yoga answers it.
      const masked = { ...result, errors: result.errors.map((error) => deps.maskError?.(error) ?? error) };
      const response = processRegularResult(masked, yoga.fetchAPI, mediaType);
      status = response.status;
      response.headers.set('x-request-id', requestId);
      for (const [name, value] of Object.entries(corsHeaders(req) ?? {})) response.headers.set(name, value);
      await sendNodeResponse(response, res, req, false);
    } else {
      const text = JSON.stringify(result);
      res.writeHead(200, {
        'content-type': `${mediaType}; charset=utf-8`,
        'content-length': Buffer.byteLength(text),
        'x-request-id': requestId,
        ...corsHeaders(req),
      });
      res.end(text);
    }
    deps.metrics?.observeHotRequest({
      operationType,
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

/** From the headers alone: a JSON POST to /graphql, within the body limit, not compressed. */
function isHotCandidate(req: IncomingMessage, maxBodyBytes: number): boolean {
  const { headers } = req;
  const length = headers['content-length'];
  return (
    req.method === 'POST' &&
    req.url === '/graphql' &&
    JSON_TYPE.test(headers['content-type'] ?? '') &&
    length !== undefined &&
    DIGITS.test(length) &&
    Number(length) <= maxBodyBytes &&
    headers['content-encoding'] === undefined &&
    headers['transfer-encoding'] === undefined
  );
}

/** The whole body, or null if the client went away first (events: cheaper than an async iterator per request). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', () => resolve(null));
    req.once('close', () => {
      if (!req.complete) resolve(null);
    });
  });
}

function parseBody(raw: Buffer): HotBody | null {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  for (const name in body) if (!HOT_BODY_KEYS.has(name)) return null;
  const { variables } = body as { variables?: unknown };
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  return body as HotBody;
}

const mediaTypes = new Map<string, string | null>();

/**
 * The media type Yoga would answer in: `text/event-stream`, `multipart/mixed`, `application/graphql-response+json`,
 * `application/json`, or null when none is acceptable. Mirrors Yoga's result processors (graphql-yoga 5.24
 * `use-result-processor`): the SSE, multipart and JSON processors in that order, each taking the request's media
 * types last to first, the last match winning.
 */
export function answerMediaType(accept: string | null | undefined): string | null {
  const header = accept || '*/*';
  let chosen = mediaTypes.get(header);
  if (chosen !== undefined) return chosen;
  const asked = header
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .filter(
      (type) => (type.split(';').find((p) => p.includes('charset=')) ?? 'charset=utf-8') === 'charset=utf-8',
    )
    .map((type) => type.split(';')[0] as string)
    .reverse();
  chosen = null;
  for (const offered of [
    ['text/event-stream'],
    ['multipart/mixed'],
    ['application/graphql-response+json', 'application/json'],
  ]) {
    for (const type of asked)
      for (const candidate of offered) if (matches(candidate, type)) chosen = candidate;
  }
  if (mediaTypes.size < 64) mediaTypes.set(header, chosen);
  return chosen;
}

/** Whether Yoga would answer in a stream (SSE or multipart): what a subscription needs. */
export const isStreamingMediaType = (type: string | null) =>
  type === 'text/event-stream' || type === 'multipart/mixed';

/** The media type for a result that is not a stream, or null when Yoga would not answer plain JSON. */
function responseMediaType(accept: string | undefined): string | null {
  const chosen = answerMediaType(accept);
  return isStreamingMediaType(chosen) ? null : chosen;
}

function matches(offered: string, asked: string): boolean {
  const [pre, suf] = asked.split('/');
  const [offeredPre, offeredSuf] = offered.split('/');
  return (pre === '*' || pre === offeredPre) && (suf === '*' || suf === offeredSuf);
}

/** Per root field, the scopes any one of which Pothos' scope-auth wants (`authScopes: { scope: true }`). */
function rootFieldScopes(schema: GraphQLSchema, operation: OperationDefinitionNode): string[][] {
  const root = schema.getRootType(operation.operation);
  const fields = root?.getFields() ?? {};
  const scopes: string[][] = [];
  for (const selection of operation.selectionSet.selections) {
    // Fragments at the root would need expanding; no example operation has one, so they take Yoga's path.
    if (selection.kind !== Kind.FIELD) return [['(fragment at the root)']];
    if (selection.name.value === '__typename') continue;
    const options = fields[selection.name.value]?.extensions?.pothosOptions as
      | { authScopes?: Record<string, boolean> }
      | undefined;
    const required = Object.entries(options?.authScopes ?? {})
      .filter(([, on]) => on)
      .map(([scope]) => scope);
    if (required.length) scopes.push(required);
  }
  return scopes;
}

/** The CORS headers Yoga's CORS plugin adds to an answer (none without an Origin). */
function corsHeaders(req: IncomingMessage): Record<string, string> | null {
  if (req.headers.origin === undefined) return null;
  const headers = { get: (name: string) => firstHeader(req.headers[name]) ?? null };
  return getCORSHeadersByRequestAndOptions({ headers } as Request, CORS);
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Yoga's node:http handling of one request whose body has already been read. */
async function viaYoga(yoga: Yoga, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const headers = new yoga.fetchAPI.Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const request = new yoga.fetchAPI.Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, {
    method: 'POST',
    headers,
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) as Uint8Array<ArrayBuffer>,
  });
  const response = await yoga.handleRequest(request, { req, res } as never);
  await sendNodeResponse(response, res, req, false);
}

function answerFailure(res: ServerResponse, error: unknown, logger: Logger): void {
  logger.error({ err: error }, 'hot path failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
  res.end('{"errors":[{"message":"Unexpected error."}]}');
}
