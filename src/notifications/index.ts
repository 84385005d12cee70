import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';
import type { D24Client } from '../d24/client.js';
import { withInboxTables } from '../ledger/inbox.js';
import type { Ledger, LedgerDatabase } from '../ledger/index.js';
import type { Metrics } from '../server/observability/metrics.js';
import { StatusLookups } from './lookups.js';
import { NotificationProcessor } from './processor.js';
import { Reconciler, type ReconcilerOptions } from './reconciler.js';
import { createNotificationWebhook, NOTIFICATIONS_PATH } from './webhook.js';

export { NOTIFICATIONS_PATH } from './webhook.js';

export interface NotificationsDeps {
  ledger: Ledger;
  /** The ledger's database: the inbox and the lease live beside its tables. */
  database: LedgerDatabase;
  d24: D24Client;
  /** The key D24 makes control strings with (D24_SECRET_KEY, or the sandbox's). */
  secretKey: string;
  logger: Logger;
  metrics?: Metrics;
  /** RECONCILE_INTERVAL_MS (0: off). */
  reconcileIntervalMs: number;
  reconciler?: Partial<Pick<ReconcilerOptions, 'ratePerSecond' | 'batchSize' | 'holder'>>;
  /** Retry delay for notifications left unprocessed (default 5 s, doubling). */
  processRetryMs?: number;
}

/** D24's notifications and the reconciler, wired: what `startService` starts and closes. */
export interface Notifications {
  /** Serves `POST /d24/notifications` (and 405/415/413 for anything else sent there). */
  webhook: RequestListener;
  processor: NotificationProcessor;
  reconciler: Reconciler;
  lookups: StatusLookups;
  /** Processes what a previous run left unprocessed, then starts the reconciler's timer. */
  start(): void;
  /** Stops the reconciler (releasing its lease) and waits for processing in flight. Before the ledger closes. */
  close(): Promise<void>;
}

export function createNotifications(deps: NotificationsDeps): Notifications {
  const db = withInboxTables(deps.database.db);
  const lookups = new StatusLookups(deps.d24);
  const logger = deps.logger.child({ name: 'notifications' });
  const processor = new NotificationProcessor({
    db,
    ledger: deps.ledger,
    lookups,
    logger,
    ...(deps.processRetryMs !== undefined && { retryMs: deps.processRetryMs }),
    ...(deps.metrics && { onProcessed: deps.metrics.observeNotificationProcessed }),
  });
  const webhook = createNotificationWebhook({
    secretKey: deps.secretKey,
    recorder: processor,
    onRecorded: (notification, requestId) => processor.submit(notification, requestId),
    logger,
    ...(deps.metrics && { onResult: deps.metrics.observeNotification }),
  });
  const reconciler = new Reconciler({
    db,
    ledger: deps.ledger,
    lookups,
    logger: deps.logger.child({ name: 'reconciler' }),
    intervalMs: deps.reconcileIntervalMs,
    ...deps.reconciler,
    ...(deps.metrics && {
      onChecked: deps.metrics.observeReconciled,
      onOldestUnchecked: deps.metrics.setOldestUnchecked,
    }),
  });
  return {
    webhook,
    processor,
    reconciler,
    lookups,
    start() {
      processor.start();
      reconciler.start();
    },
    async close() {
      await reconciler.stop();
      await processor.close();
    },
  };
}

/** Routes D24's webhook path (whatever its query string) to `webhook`, everything else to `next`. */
export function withNotificationWebhook(webhook: RequestListener, next: RequestListener): RequestListener {
  return (req, res) => {
    const url = req.url ?? '';
    const path = url.indexOf('?') === -1 ? url : url.slice(0, url.indexOf('?'));
    if (path === NOTIFICATIONS_PATH) webhook(req, res);
    else next(req, res);
  };
}
