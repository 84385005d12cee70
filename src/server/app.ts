import type { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import type { D24Client } from '../d24/client.js';
import type { Ledger } from '../ledger/index.js';
import { createLive, type Live } from '../live/index.js';
import { schema } from '../schema/index.js';
import { type Authenticator, useAuthentication } from './auth/auth.js';
import { createHotPath, type HotPath } from './hot-path/hot-path.js';
import { useGraphQlJitWhenLoaded } from './hot-path/lazy-jit.js';
import { useBodyLimit } from './http/body-limit.js';
import { graphiqlOptions, renderGraphiQLWhenShown } from './http/graphiql.js';
import type { Readiness } from './http/readiness.js';
import { requestIdOf, useRequestId } from './http/request-id.js';
import { useBadParamsAs400 } from './http/request-params.js';
import { useStreamsOnlyWhenAccepted } from './http/subscriptions.js';
import type { Audit } from './observability/audit.js';
import type { Metrics } from './observability/metrics.js';
import { observeRootFields, type RootFieldEvent } from './observability/root-fields.js';
import { hardening, LIMITS } from './security/armor.js';
import { MemoryRateLimitStore, type RateLimitStore, useMutationRateLimit } from './security/rate-limit.js';

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

/** Yoga's app (a fetch-style handler), and the hot path beside it: `hotPath.listener` is what a server listens with. */
export type App = YogaServerInstance<Record<string, never>, Context> & {
  hotPath: HotPath;
  /** How many parsed documents Yoga's parse cache holds. */
  documentsCached(): number;
  /** The authenticator Yoga's path uses (and the WebSocket transport, for `connectionParams`). */
  authenticate: Authenticator;
  live: Live;
};

/** Builds the GraphQL app; `startService` makes its `hotPath.listener` listen. */
export function createApp(config: Readonly<Config>, deps: AppDeps): App {
  const observers = [deps.audit?.observe, deps.metrics?.observeRootField].filter(
    (observer): observer is (event: RootFieldEvent) => void => !!observer,
  );
  const auth = useAuthentication(config.auth, deps.logger);
  const security = hardening(config);
  const rateLimit = useMutationRateLimit({
    limitPerMinute: config.rateLimitPerMinute,
    store: deps.rateLimitStore ?? new MemoryRateLimitStore({ limit: config.rateLimitPerMinute }),
  });
  const jit = useGraphQlJitWhenLoaded();
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
  // The hot path's plugin records what Yoga accepted; it reads params before trusted documents rewrite them.
  let hotPath: HotPath | undefined;
  const recordAccepted: Plugin = {
    onParams: (payload) => hotPath?.plugin.onParams?.(payload),
    onExecute: (payload) => hotPath?.plugin.onExecute?.(payload),
  };
  const yoga = createYoga<Record<string, never>, Context>({
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
    // Order is deliberate. First what must see every request and never refuses one: the request id, the audit
    // (it records params before anything can refuse them), the /ready and /metrics endpoints (no auth on probes).
    // Then whatever refuses a request (auth, then CSRF, armor, trusted documents, then the rate limit).
    // graphql-jit compiles each operation once it has loaded (after start-up, so cold start stays short); the body
    // limit comes last, as it must see the request parser every other plugin chose.
    plugins: [
      jit.plugin,
      useRequestId({ logger: deps.logger }),
      recordAccepted,
      useBadParamsAs400(),
      ...(deps.audit ? [deps.audit.plugin] : []),
      ...(deps.readiness ? [deps.readiness.plugin] : []),
      ...(deps.metrics ? [deps.metrics.plugin()] : []),
      auth.plugin,
      ...security.plugins,
      rateLimit.plugin,
      useStreamsOnlyWhenAccepted(),
      useBodyLimit(LIMITS.bodyBytes),
    ],
    ...security.options,
    // A WebSocket subscription (websocket.ts) comes with its connection's principal; HTTP with its request.
    context: (initial) => {
      const ws = initial as Partial<Pick<Context, 'principal' | 'requestId'>>;
      if (ws.principal && ws.requestId) return contextFor(ws.requestId, ws.principal);
      return contextFor(requestIdOf(initial.request), auth.principalOf(initial.request));
    },
  });
  hotPath = createHotPath({
    yoga,
    authenticate: auth.authenticate,
    rateLimit,
    compileQuery: jit.compileQuery,
    jitReady: jit.ready,
    contextFor,
    logger: deps.logger,
    ...(deps.metrics && { metrics: deps.metrics }),
    maxBodyBytes: LIMITS.bodyBytes,
    maskError: maskerOf(yoga),
  });
  return Object.assign(yoga, {
    hotPath,
    documentsCached: security.documentsCached,
    authenticate: auth.authenticate,
    live,
  });
}

/**
 * Yoga's own error masking, to mask the hot path's unexpected errors exactly as Yoga masks its own: the function
 * Yoga built from `maskedErrors` (it is private in Yoga's typings, hence the cast), or none when masking is off.
 */
function maskerOf(yoga: YogaServerInstance<Record<string, never>, Context>) {
  const options = (
    yoga as unknown as { maskedErrorsOpts?: { maskError: MaskError; errorMessage: string } | null }
  ).maskedErrorsOpts;
  if (!options) return undefined;
  return (error: GraphQLError) => options.maskError(error, options.errorMessage) as GraphQLError;
}

type MaskError = (error: unknown, message: string) => Error;
