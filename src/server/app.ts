import type { RequestListener } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import type { D24Client } from '../d24/client.js';
import type { Ledger } from '../ledger/index.js';
import { createLive, type Live } from '../live/index.js';
import { schema } from '../schema/index.js';
import { type Authenticator, createAuthentication } from './auth/auth.js';
import { createErrorMasking } from './errors.js';
import { createHotPath, type HotPath } from './hot-path/hot-path.js';
import { createLazyJit } from './hot-path/lazy-jit.js';
import { useBodyLimit } from './http/body-limit.js';
import { createYogaServer, type Yoga } from './http/create-yoga.js';
import { graphiqlOptions, renderGraphiQLWhenShown } from './http/graphiql.js';
import type { Readiness } from './http/readiness.js';
import { requestIdOf, useRequestId } from './http/request-id.js';
import { useBadParamsAs400 } from './http/request-params.js';
import { useStreamsOnlyWhenAccepted } from './http/subscriptions.js';
import type { Audit } from './observability/audit.js';
import type { Metrics } from './observability/metrics.js';
import { observeRootFields, type RootFieldEvent } from './observability/root-fields.js';
import { hardening, LIMITS } from './security/armor.js';
import { createMutationRateLimit, MemoryRateLimitStore, type RateLimitStore } from './security/rate-limit.js';

export { SANDBOX_DEVELOPER } from './auth/auth.js';

export interface AppDeps {
  d24: D24Client;
  /** The cashout ledger resolvers record to and read from. */
  ledger: Ledger;
  /** Subscriptions' PubSub and ledger reader, one per replica; by default in process, made here. */
  live?: Live;
  logger: Logger;
  /** The audit trail (one event per mutation); `startService` always passes one. */
  audit?: Audit;
  /** `/metrics` and the service's own series. */
  metrics?: Metrics;
  /** `/ready`. */
  readiness?: Readiness;
  /** Mutation budgets per principal; in memory (per replica) unless a shared store is given. */
  rateLimitStore?: RateLimitStore;
}

/** What the hot path does about a plugin's work: does it itself, or leaves every document needing it to Yoga. */
export type HotPathDeclaration = 'performs' | 'yoga-only';

/** One of createApp's plugins, in order, with what the hot path does about it (the test checks every one says). */
export interface Stage {
  name: string;
  // biome-ignore lint/suspicious/noExplicitAny: plugins are typed for different contexts (Yoga's, ours).
  plugin: Plugin<any>;
  hotPath: HotPathDeclaration;
}

/** Yoga (a fetch-style handler) and the node:http listener `startService` listens with: the hot path, then Yoga. */
export interface App {
  yoga: Yoga;
  listener: RequestListener;
  /** Yoga's in-process fetch (tests without HTTP). */
  fetch: Yoga['fetch'];
  hotPath: HotPath;
  /** Yoga's plugins in order, each with its hot-path declaration. */
  stages: readonly Stage[];
  /** How many parsed documents Yoga's parse cache holds. */
  documentsCached(): number;
  /** How many documents Yoga's path has compiled with graphql-jit (from a document's second run). */
  jitCompilations(): number;
  /** The authenticator Yoga's path uses (and the WebSocket transport, for `connectionParams`). */
  authenticate: Authenticator;
  live: Live;
}

/** Builds the GraphQL app; `startService` makes its `listener` listen. */
export function createApp(config: Readonly<Config>, deps: AppDeps): App {
  const observers = [deps.audit?.observe, deps.metrics?.observeRootField].filter(
    (observer): observer is (event: RootFieldEvent) => void => !!observer,
  );
  const auth = createAuthentication(config.auth, deps.logger);
  const security = hardening(config);
  const rateLimit = createMutationRateLimit({
    limitPerMinute: config.rateLimitPerMinute,
    store: deps.rateLimitStore ?? new MemoryRateLimitStore({ limit: config.rateLimitPerMinute }),
  });
  const jit = createLazyJit();
  const live =
    deps.live ??
    createLive({ ledger: deps.ledger, redis: null, logger: deps.logger, limits: config.subscriptions });
  const contextFor = (requestId: string, principal: Context['principal']): Context => {
    let log: Context['log'] | undefined;
    return {
      d24: deps.d24,
      ledger: deps.ledger,
      live,
      requestId,
      // Made when first used: a pino child (its bindings run through redaction) per request is not free.
      get log() {
        log ??= deps.logger.child({ requestId });
        return log;
      },
      principal,
    };
  };
  const masking = createErrorMasking(config.production, deps.logger);
  const hotPath = createHotPath({
    authenticate: auth.authenticate,
    rateLimit,
    compileQuery: jit.compileQuery,
    jitReady: jit.ready,
    contextFor,
    logger: deps.logger,
    ...(deps.metrics && { metrics: deps.metrics }),
    maxBodyBytes: LIMITS.bodyBytes,
    maskError: masking.mask,
  });
  // Order is deliberate. First what must see every request and never refuses one: the request id, the hot path's
  // record of what Yoga accepted (before trusted documents rewrite params), the audit (it records params before
  // anything can refuse them), the /ready and /metrics endpoints (no auth on probes). Then whatever refuses a request
  // (auth, then CSRF, armor, trusted documents, then the rate limit). graphql-jit compiles each operation once it has
  // loaded (after start-up, so cold start stays short); the body limit comes last, as it must see the request parser
  // every other plugin chose. `hotPath` says whether the hot path does the plugin's work itself, or serves only
  // documents that never need it (those stay on Yoga's path).
  const stages: Stage[] = [
    { name: 'graphql-jit', plugin: jit.plugin, hotPath: 'performs' },
    { name: 'request id', plugin: useRequestId({ logger: deps.logger }), hotPath: 'performs' },
    { name: 'hot path record', plugin: hotPath.plugin, hotPath: 'performs' },
    // The hot path serves only params that parse; anything else falls back to Yoga.
    { name: 'bad params as 400', plugin: useBadParamsAs400(), hotPath: 'yoga-only' },
    // On the hot path the audit comes from the schema (observeRootFields); refusals, which it records, are Yoga's.
    ...(deps.audit ? [{ name: 'audit', plugin: deps.audit.plugin, hotPath: 'performs' as const }] : []),
    // The hot path serves POST /graphql only.
    ...(deps.readiness
      ? [{ name: 'readiness', plugin: deps.readiness.plugin, hotPath: 'yoga-only' as const }]
      : []),
    ...(deps.metrics
      ? [{ name: 'metrics', plugin: deps.metrics.plugin(), hotPath: 'performs' as const }]
      : []),
    { name: 'authentication', plugin: auth.plugin, hotPath: 'performs' },
    // CSRF, armor, trusted documents, introspection: the hot path serves only documents they have already passed.
    ...security.plugins.map((plugin, i) => ({ name: `security ${i}`, plugin, hotPath: 'performs' as const })),
    { name: 'rate limit', plugin: rateLimit.plugin, hotPath: 'performs' },
    // The hot path answers JSON only; a stream is always Yoga's.
    { name: 'streams only when accepted', plugin: useStreamsOnlyWhenAccepted(), hotPath: 'yoga-only' },
    { name: 'body limit', plugin: useBodyLimit(LIMITS.bodyBytes), hotPath: 'performs' },
  ];
  const yoga = createYogaServer({
    schema: observers.length
      ? observeRootFields(schema, (event) => {
          for (const observe of observers) observe(event);
        })
      : schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // No field takes an upload; Yoga's multipart parser answered malformed forms with 200.
    multipart: false,
    graphiql: config.graphiql ? graphiqlOptions() : false,
    // GraphiQL served from this process, not a CDN (operators' networks often block one); loaded only when shown.
    renderGraphiQL: renderGraphiQLWhenShown,
    // Yoga's own debug lines cannot carry the request id (our request line, at debug, does); its errors pass.
    logging: {
      debug: () => {},
      info: (...args: unknown[]) => deps.logger.info(args.map(String).join(' ')),
      warn: (...args: unknown[]) => deps.logger.warn(args.map(String).join(' ')),
      error: (error: unknown, ...rest: unknown[]) => deps.logger.error({ err: error, detail: rest }),
    },
    plugins: stages.map((stage) => stage.plugin),
    ...security.options,
    maskedErrors: masking.yoga,
    // A WebSocket subscription (websocket.ts) comes with its connection's principal; HTTP with its request.
    context: (initial) => {
      const ws = initial as Partial<Pick<Context, 'principal' | 'requestId'>>;
      if (ws.principal && ws.requestId) return contextFor(ws.requestId, ws.principal);
      return contextFor(requestIdOf(initial.request), auth.principalOf(initial.request));
    },
  });
  return {
    yoga,
    // HOT_PATH=off: Yoga answers everything (its plugin still records, harmlessly).
    listener: config.hotPath ? hotPath.listenerFor(yoga) : yoga,
    fetch: yoga.fetch,
    hotPath,
    stages,
    documentsCached: security.documentsCached,
    jitCompilations: jit.compilations,
    authenticate: auth.authenticate,
    live,
  };
}
