import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { D24Client } from './d24/client.js';
import { migrateToLatest } from './ledger/connect.js';
import { disabledLedger } from './ledger/disabled.js';
import { type Ledger, openDatabase, openLedger } from './ledger/index.js';
import { createLive, type Live } from './live/index.js';
import {
  createNotifications,
  NOTIFICATIONS_PATH,
  type Notifications,
  withNotificationWebhook,
} from './notifications/index.js';
import { connectRedis, type RedisConnections } from './redis.js';
import { type Sandbox, startSandbox } from './sandbox/index.js';
import { type App, createApp } from './server/app.js';
import { type DrainReport, trackRequests } from './server/http/drain.js';
import { createReadiness, type Readiness } from './server/http/readiness.js';
import { type GraphQLWebSocket, serveGraphQLOverWebSocket } from './server/http/websocket.js';
import { createAudit } from './server/observability/audit.js';
import { AUDIT_LOGGER_NAME } from './server/observability/logger.js';
import { createMetrics, type Metrics } from './server/observability/metrics.js';
import { createHttpServer, SERVER_LIMITS, type ServerLimits } from './server/security/armor.js';
import { RedisRateLimitStore } from './server/security/rate-limit-redis.js';

/** A running service: what `npm start` runs, and what tests start on port 0. */
export interface Service {
  /** e.g. `http://127.0.0.1:4000` */
  url: string;
  app: App;
  server: Server;
  d24: D24Client;
  /** The embedded sandbox, when no D24_BASE_URL was configured. */
  sandbox: Sandbox | null;
  metrics: Metrics;
  readiness: Readiness;
  /** The cashout ledger (SQLite or PostgreSQL, per DATABASE_URL). */
  ledger: Ledger;
  /** Subscriptions: the PubSub, the ledger reader, the open streams. */
  live: Live;
  websocket: GraphQLWebSocket;
  /** D24's webhook, the processing of what it records, and the reconciler. */
  notifications: Notifications;
  /**
   * Graceful stop: /ready answers 503, no new connections, in-flight requests finish (up to
   * `config.shutdownGraceMs`), then the D24 pool (at once if the grace period ran out), the ledger (after writing
   * what waits) and the sandbox close.
   */
  close(): Promise<DrainReport>;
}

export interface ServiceDeps {
  logger: Logger;
  /** The audit trail's logger; by default `logger.child({ name: 'audit' })`. */
  audit?: Logger;
  /** On the embedded sandbox: run its life (a new cashout every tick, moved along) every this many ms. */
  sandboxTickMs?: number;
  /** On the embedded sandbox: whether it notifies this service of its own moves (default true, as `npm start`). */
  sandboxNotifies?: boolean;
  /** The HTTP server's timeouts and connection cap; SERVER_LIMITS by default (tests shorten them). */
  serverLimits?: Partial<ServerLimits>;
}

/** Starts the embedded sandbox if D24_BASE_URL is unset, then the D24 client and the HTTP server. */
export async function startService(config: Readonly<Config>, deps: ServiceDeps): Promise<Service> {
  const { logger } = deps;
  const sandbox = config.d24.baseUrl ? null : await startSandbox();
  const baseUrl = config.d24.baseUrl ?? (sandbox as Sandbox).url;
  const metrics = createMetrics();
  const d24 = new D24Client({
    baseUrl,
    credentials: config.d24.credentials ?? (sandbox as Sandbox).credentials,
    timeoutMs: config.d24.timeoutMs,
    onCall: (event) => {
      metrics.observeD24Call(event);
      if (logger.isLevelEnabled('debug'))
        logger.debug({ ...event, durationMs: Math.round(event.durationMs) }, 'D24 call');
    },
  });
  // Opened here, not by the ledger: the notification inbox lives beside the ledger's tables, in the same database.
  const database = openDatabase(
    config.ledger.disabled ? { kind: 'sqlite', path: ':memory:' } : config.ledger.target,
  );
  const ledger = config.ledger.disabled
    ? disabledLedger()
    : await openLedger({
        target: config.ledger.target,
        database,
        maxWaiting: config.ledger.maxWaiting,
        logger: logger.child({ name: 'ledger' }),
        observer: metrics.ledger,
      });
  if (config.ledger.disabled) {
    logger.warn('LEDGER_DISABLED=true: NO LEDGER, nothing is recorded (benchmarks only)');
    await migrateToLatest(database); // the inbox still records notifications, in memory
  }
  metrics.trackLedgerWaiting(() => ledger.waiting);
  const notifications = createNotifications({
    ledger,
    database,
    d24,
    secretKey: (config.d24.credentials ?? (sandbox as Sandbox).credentials).secretKey,
    logger,
    metrics,
    reconcileIntervalMs: config.reconcile.intervalMs,
    reconciler: { ratePerSecond: config.reconcile.ratePerSecond },
  });
  const readiness = createReadiness({
    origin: baseUrl,
    intervalMs: config.readyProbeIntervalMs,
    logger,
    checks: [() => (ledger.status === 'down' ? 'ledger-unavailable' : null)],
  });
  const audit = createAudit({ logger: deps.audit ?? logger.child({ name: AUDIT_LOGGER_NAME }) });
  const redis = config.redis.url ? connectRedis(config.redis.url, config.redis.prefix, logger) : null;
  if (redis && !(await redis.ready(2_000))) logger.warn('Redis not reachable yet: starting anyway, degraded');
  const live = createLive({ ledger, redis, logger, limits: config.subscriptions, pollMs: config.livePollMs });
  const app = createApp(config, {
    d24,
    ledger,
    live,
    logger,
    audit,
    metrics,
    readiness,
    ...(redis && { rateLimitStore: sharedRateLimit(redis, config, logger) }),
  });
  const server = createHttpServer(withNotificationWebhook(notifications.webhook, app.listener), {
    ...SERVER_LIMITS,
    ...deps.serverLimits,
  });
  const requests = trackRequests(server);
  const websocket = serveGraphQLOverWebSocket({
    server,
    yoga: app.yoga,
    authenticate: app.authenticate,
    trustedDocumentsRequired: config.trustedDocumentsRequired,
    logger,
  });
  await new Promise<void>((resolve) => server.listen(config.server.port, config.server.host, resolve));
  readiness.start();
  const { port } = server.address() as { port: number };
  const url = `http://${config.server.host}:${port}`;
  notifications.start();
  if (sandbox) {
    // The embedded sandbox notifies this service, as a real D24 account's Withdrawal URL would.
    if (deps.sandboxNotifies !== false) sandbox.notifications.url = `${url}${NOTIFICATIONS_PATH}`;
    if (deps.sandboxTickMs) sandbox.startLife(deps.sandboxTickMs);
  }
  let closing: Promise<DrainReport> | undefined;
  return {
    url,
    app,
    server,
    d24,
    sandbox,
    metrics,
    readiness,
    ledger,
    live,
    websocket,
    notifications,
    close() {
      closing ??= (async () => {
        readiness.drain();
        readiness.stop();
        sandbox?.stopLife();
        // Streams never finish on their own: end them (each client is told to resume with `after`) first.
        live.close();
        await websocket.close();
        const report = await requests.drain(config.shutdownGraceMs);
        // Before D24 and the ledger close: processing in flight needs both.
        await notifications.close();
        // Past the grace period the callers are gone: do not wait for their D24 calls too.
        await (report.completed ? d24.close() : d24.destroy());
        // After the requests: their events are queued by now, and close() writes them.
        await ledger.close();
        if (config.ledger.disabled) await database.db.destroy(); // otherwise the ledger's close() does
        await sandbox?.close();
        await redis?.close();
        return report;
      })();
      return closing;
    },
  };
}

function sharedRateLimit(redis: RedisConnections, config: Readonly<Config>, logger: Logger) {
  return new RedisRateLimitStore({
    redis: redis.commands,
    prefix: redis.prefix,
    limit: config.rateLimitPerMinute,
    logger,
  });
}
