import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import path from 'node:path';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import {
  defaultExtractPersistedOperationId,
  usePersistedOperations,
} from '@graphql-yoga/plugin-persisted-operations';
import type { CORSOptions } from '@whatwg-node/server';
import { type DocumentNode, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { Config } from '../../config.js';
import { PROJECT_ROOT } from '../../version.js';
import { CODE, topLevelError } from '../errors.js';
import { yogaCache } from './bounded-cache.js';

/** Every limit a request must pass; the example operations sit far below each, abuse does not. */
export const LIMITS = Object.freeze({
  /** Request body, bytes (HTTP 413 above it, before parsing). */
  bodyBytes: 64 * 1024,
  /** Field nesting, fragments included (a connection's edges and node add two: a cashout's history reaches 9). */
  depth: 10,
  /** Nesting of an introspection query (GraphiQL's reaches 21); introspection's types are cyclic. */
  introspectionDepth: 24,
  /** Aliases per operation (the example operations use none). */
  aliases: 5,
  /** graphql-armor cost (objects 2, scalars 1, ×1.5 per level; the example operations cost about 100). */
  cost: 1_000,
  /** Lexical tokens per document (the example operations have about 85; GraphiQL's introspection about 185). */
  tokens: 1_000,
  /** Directives per operation. */
  directives: 5,
});

/**
 * What the caches keyed by caller-chosen text (documents) may hold, in entries and in characters of document text:
 * any token holder can send distinct valid documents, and each one kept costs ~40 KB (its AST, validation result
 * and graphql-jit function), so these bound the memory that takes (`bench/distinct-documents.ts` measures it).
 * Legitimate clients send a few dozen documents; a document evicted is only parsed and compiled again.
 */
export const CACHE_LIMITS = Object.freeze({
  /** Yoga's parsed documents (and, through them, their validation results and graphql-jit functions). */
  documents: 64,
  documentChars: 128 * 1024,
  /** Yoga's remembered parse errors. */
  parseErrors: 64,
  parseErrorChars: 128 * 1024,
  /** The hot path's prepared operations (each with its own graphql-jit function). */
  prepared: 64,
  preparedChars: 128 * 1024,
});

/**
 * The HTTP server's limits, for a GraphQL API of small requests (Node's defaults in brackets). The timeouts bound
 * receiving a request, never the answer: a mutation may wait up to D24_TIMEOUT_MS (twice, with its 510 look-up).
 */
export const SERVER_LIMITS = Object.freeze({
  /** To receive the request line and headers; a slow-drip client gets 408 and is closed (60 s). */
  headersTimeoutMs: 10_000,
  /** To receive the whole request, body included: 64 KiB at most (300 s). */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this (5 s, kept: below a load balancer's idle timeout). */
  keepAliveTimeoutMs: 5_000,
  /** How often Node checks the two receive timeouts (30 s: a slow drip would live up to 30 s past them). */
  connectionsCheckingIntervalMs: 1_000,
  /** Connections open at once; one more is closed as soon as it is accepted (unlimited). */
  maxConnections: 1_000,
});
export type ServerLimits = { readonly [K in keyof typeof SERVER_LIMITS]: number };

/** The node:http server `startService` listens with, with `limits` applied. */
export function createHttpServer(listener: RequestListener, limits: ServerLimits = SERVER_LIMITS): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
    },
    listener,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  return server;
}

/**
 * CORS, as Yoga's default has it: the caller's origin reflected, credentials allowed (identity travels in a bearer
 * token, which a browser never attaches on its own). One object, so Yoga and the hot path answer with the same headers.
 */
export const CORS: Readonly<CORSOptions> = Object.freeze({});

/**
 * The persisted document a request names: a `documentId`, as the generated documents carry it, or Apollo's
 * `extensions.persistedQuery.sha256Hash` (hex) as `sha256:<hex>`; null when it names none. Trusted documents and
 * the hot path read a request the same way through this one function.
 */
export function persistedDocumentIdOf(params: GraphQLParams): string | null {
  const documentId = (params as { documentId?: unknown }).documentId;
  if (typeof documentId === 'string') return documentId;
  // Yoga's own reading of Apollo's extension (it looks at the params only).
  const hash = defaultExtractPersistedOperationId(params, undefined as never, undefined as never);
  return hash === null ? null : `sha256:${hash}`;
}

/** Headers any of which marks a GET or form POST as not a cross-site "simple" request. */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name'];

type Manifest = Readonly<Record<string, string>>;

/** The persisted-documents manifest `npm run codegen` writes: `sha256:<hex>` → document. */
export function loadPersistedDocuments(): Manifest {
  const file = path.join(PROJECT_ROOT, 'schema/generated/persisted-documents.json');
  return Object.freeze(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>);
}

/**
 * Yoga options and plugins that bound what one request can cost: CSRF prevention, body size, no batching,
 * graphql-armor's limits, introspection and field suggestions off in production, trusted documents.
 */
export function hardening(config: Pick<Config, 'production' | 'graphiql' | 'trustedDocumentsRequired'>) {
  const introspection = config.graphiql;
  const manifest = loadPersistedDocuments();
  const plugins: Plugin[] = [
    useCSRFPrevention({ requestHeaders: CSRF_HEADERS }),
    usePersistedOperations({
      allowArbitraryOperations: !config.trustedDocumentsRequired,
      extractPersistedOperationId: persistedDocumentIdOf,
      getPersistedOperation: (key) => manifest[key.startsWith('sha256:') ? key : `sha256:${key}`] ?? null,
      customErrors: {
        // Apollo's persisted-query link sends the full document after this code when arbitrary ones may run.
        notFound: () => topLevelError(CODE.PERSISTED_QUERY_NOT_FOUND),
        // A body with neither a query nor a document id is a malformed request, not a success.
        keyNotFound: () => topLevelError(CODE.PERSISTED_QUERY_ID_REQUIRED),
        persistedQueryOnly: () => topLevelError(CODE.PERSISTED_QUERY_ONLY),
      },
    }),
    EnvelopArmorPlugin({
      maxDepth: { n: LIMITS.depth },
      maxAliases: { n: LIMITS.aliases },
      costLimit: { maxCost: LIMITS.cost },
      maxTokens: { n: LIMITS.tokens },
      maxDirectives: { n: LIMITS.directives },
      // "Did you mean …" would reveal the schema that introspection hides.
      blockFieldSuggestion: { enabled: !introspection },
    }),
    // Armor's depth and cost skip introspection; where introspection is on, bound its depth separately.
    maxDepthPlugin({ n: LIMITS.introspectionDepth, ignoreIntrospection: false }),
  ];
  if (!introspection) plugins.push(useNoIntrospection());
  const documentCache = yogaCache<DocumentNode>(CACHE_LIMITS.documents, CACHE_LIMITS.documentChars);
  return {
    /** How many parsed documents Yoga's cache holds (bounded by CACHE_LIMITS). */
    documentsCached: () => documentCache.size,
    options: {
      // Enforced by useBodyLimit (the last plugin), which checks Content-Length instead of streaming every body.
      maxRequestBodySize: false as const,
      cors: CORS,
      batching: false,
      extraParamNames: ['documentId'],
      parserAndValidationCache: {
        documentCache,
        errorCache: yogaCache<unknown>(CACHE_LIMITS.parseErrors, CACHE_LIMITS.parseErrorChars),
      },
    },
    plugins,
  };
}

function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
