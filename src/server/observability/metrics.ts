import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { D24CallEvent } from '../../d24/client.js';
import type { LedgerObserver } from '../../ledger/index.js';
import type { RootFieldEvent } from './root-fields.js';

/** The service's Prometheus metrics, in a registry of their own (never prom-client's global one). */
export interface Metrics {
  registry: Registry;
  /** Feed with the D24 client's `onCall`. */
  observeD24Call(event: D24CallEvent): void;
  /** Feed with `observeRootFields`. */
  observeRootField(event: RootFieldEvent): void;
  /** Yoga's HTTP and operation metrics, and `/metrics`. */
  plugin(): Plugin;
  /** Feed the ledger's writer with this. */
  ledger: LedgerObserver;
  /** Reports how many ledger events wait, read at each scrape. */
  trackLedgerWaiting(waiting: () => number): void;
  /** Feeds Yoga's series (the plugin's own histograms and counters) for a request the hot path answered. */
  observeHotRequest(request: HotRequest): void;
  /** How a POST to /d24/notifications ended (accepted, duplicate, forged, …). */
  observeNotification(result: string): void;
  /** How processing a recorded notification ended (changed, unchanged, not_found, failed). */
  observeNotificationProcessed(result: string): void;
  /** The reconciler checked `checked` cashouts and found `changes` changes. */
  observeReconciled(checked: number, changes: number): void;
  /** Age of the least recently checked non-final cashout, at the reconciler's last run. */
  setOldestUnchecked(seconds: number): void;
}

export interface HotRequest {
  operationType: string;
  /** The execute phase's label, as @envelop/prometheus makes it (`phaseOperationType`): none is a series too. */
  phaseOperationType: string | undefined;
  status: number;
  httpSeconds: number;
  executeSeconds: number;
  /** GraphQL errors in the result. */
  errors: number;
}

// The series the Prometheus plugin keeps on; their label sets are the plugin's, less the labels turned off below.
interface YogaSeries {
  http?: Histogram;
  execute?: Histogram;
  errors?: Counter;
}

const D24_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const d24Calls = new Histogram({
    name: 'd24_call_duration_seconds',
    help: 'Duration of calls to D24 by endpoint and outcome (ok, d24_error, not_applied, unknown)',
    labelNames: ['endpoint', 'outcome'] as const,
    buckets: D24_BUCKETS,
    registers: [registry],
  });
  const results = new Counter({
    name: 'graphql_results_total',
    help: 'Results of root fields by field and result type (union member, or the refusal code)',
    labelNames: ['field', 'type'] as const,
    registers: [registry],
  });
  const notifications = new Counter({
    name: 'd24_notifications_total',
    help: "POSTs to D24's webhook by result (accepted, duplicate, malformed, forged, unavailable, too_large, …)",
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const processed = new Counter({
    name: 'd24_notifications_processed_total',
    help: 'Recorded notifications processed (Status look-up, ledger) by result (changed, unchanged, not_found, failed)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const reconciled = new Counter({
    name: 'reconciler_cashouts_checked_total',
    help: "Cashouts the reconciler re-checked at D24's Status endpoint",
    registers: [registry],
  });
  const reconcileChanges = new Counter({
    name: 'reconciler_changes_total',
    help: 'Changes the reconciler found (each written as a RECONCILE event)',
    registers: [registry],
  });
  const oldestUnchecked = new Gauge({
    name: 'reconciler_oldest_unchecked_seconds',
    help: 'Age of the least recently checked non-final cashout (since its last check, or since it became known), at the last run',
    registers: [registry],
  });
  const ledgerWrites = new Histogram({
    name: 'ledger_write_duration_seconds',
    help: 'Duration of ledger group commits (one transaction each)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const ledgerBatch = new Histogram({
    name: 'ledger_batch_events',
    help: 'Events per ledger group commit',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 500],
    registers: [registry],
  });
  const ledgerFailures = new Counter({
    name: 'ledger_write_failures_total',
    help: 'Ledger group commits that failed (their events stay waiting)',
    registers: [registry],
  });
  const ledgerDropped = new Counter({
    name: 'ledger_events_dropped_total',
    help: 'Ledger events dropped because the buffer was full or the service stopped (each is logged)',
    registers: [registry],
  });
  let ledgerWaiting: () => number = () => 0;
  new Gauge({
    name: 'ledger_events_waiting',
    help: 'Ledger events not yet written (queued for the next commit, or buffered while the ledger is down)',
    registers: [registry],
    collect() {
      this.set(ledgerWaiting());
    },
  });
  let yogaSeries: YogaSeries | undefined;
  const series = (): YogaSeries =>
    (yogaSeries ??= {
      http: registry.getSingleMetric('graphql_yoga_http_duration') as Histogram | undefined,
      execute: registry.getSingleMetric('graphql_envelop_phase_execute') as Histogram | undefined,
      errors: registry.getSingleMetric('graphql_envelop_error_result') as Counter | undefined,
    });
  return {
    registry,
    ledger: {
      written(events, seconds) {
        ledgerWrites.observe(seconds);
        ledgerBatch.observe(events);
      },
      failed: () => ledgerFailures.inc(),
      dropped: (events) => ledgerDropped.inc(events),
    },
    trackLedgerWaiting(waiting) {
      ledgerWaiting = waiting;
    },
    observeHotRequest({ operationType, phaseOperationType, status, httpSeconds, executeSeconds, errors }) {
      const { http, execute, errors: errorCount } = series();
      http?.observe({ method: 'POST', statusCode: status, operationType }, httpSeconds);
      execute?.observe({ operationType: phaseOperationType }, executeSeconds);
      if (errors) errorCount?.inc({ operationType: phaseOperationType, phase: 'execute' }, errors);
    },
    observeNotification: (result) => notifications.inc({ result }),
    observeNotificationProcessed: (result) => processed.inc({ result }),
    observeReconciled(checked, changes) {
      reconciled.inc(checked);
      if (changes) reconcileChanges.inc(changes);
    },
    setOldestUnchecked: (seconds) => oldestUnchecked.set(seconds),
    observeD24Call(event) {
      d24Calls.observe({ endpoint: event.endpoint, outcome: event.outcome }, event.durationMs / 1000);
    },
    observeRootField(event) {
      // Both labels come from the schema (field and type names) or a fixed set of codes: bounded.
      results.inc({ field: event.field, type: event.resultType });
    },
    plugin: () =>
      usePrometheus({
        registry,
        endpoint: '/metrics',
        // Operation names, URLs and error paths are chosen by clients: unbounded label values, so off.
        labels: { operationName: false, url: false, path: false },
        // Kept: HTTP duration, execute duration, errors. Off, for their per-request cost: the deprecated-field count
        // (it walks every document; no field here is deprecated), the request-time summary (a quantile sketch per
        // observation), the request counter and request duration (the execute histogram's count and figure again:
        // here a request's GraphQL time is its execution), and the parse, validate and context phases (parse and
        // validate are cached; context is a few property reads).
        metrics: {
          graphql_envelop_deprecated_field: false,
          graphql_envelop_request_time_summary: false,
          graphql_envelop_request: false,
          graphql_envelop_request_duration: false,
          graphql_envelop_phase_parse: false,
          graphql_envelop_phase_validate: false,
          graphql_envelop_phase_context: false,
        },
      }),
  };
}
