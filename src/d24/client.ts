// Over 200 lines: the four D24 operations share one retry and idempotency policy, which reads best in one place.
import type { Dispatcher } from 'undici';
import { SERVICE_NAME, SERVICE_VERSION } from '../version.js';
import { type CashoutState, interpretAnswer } from './answer.js';
import { CashoutError, D24UnavailableError, InvalidStatusTransitionError } from './errors.js';
import { sign } from './sign.js';
import { createD24Pool, type Limits, send } from './transport.js';
import { type CashoutStatus, D24_ENDPOINTS, type D24EndpointName } from './wire.js';

export interface D24Credentials {
  login: string;
  pass: string;
  /** The API Signature key that signs every body. */
  secretKey: string;
}

/** How one call to D24 ended, for metrics and logs (never carries a body, credential or signature). */
export interface D24CallEvent {
  endpoint: D24EndpointName;
  durationMs: number;
  outcome: 'ok' | 'd24_error' | 'not_applied' | 'unknown';
  /** D24's error code, when it answered with one. */
  code?: number;
  /** The `CallContext.requestId` the call carried, so its log line joins the request's. */
  requestId?: string;
}

export interface D24ClientOptions {
  /** D24's origin, e.g. `https://api-stg.directa24.com`. */
  baseUrl: string;
  credentials: D24Credentials;
  /** Per-call limit; past it the call ends as `D24UnavailableError { outcome: UNKNOWN }`. */
  timeoutMs?: number;
  /** Answers larger than this are not read (they are not D24's). */
  maxResponseBytes?: number;
  /** Where requests go; default: a keep-alive pool owned (and closed) by the client. */
  dispatcher?: Dispatcher;
  onCall?: (event: D24CallEvent) => void;
}

/** Per-call context: a request id forwarded to D24 as `X-Request-Id` so both sides' logs correlate. */
export interface CallContext {
  requestId?: string;
}

/** The result of a state-changing call: `changed` is false when the cashout already was where we asked. */
export interface StatusChange {
  cashout: CashoutState;
  changed: boolean;
}

export type CashoutLookup =
  | { cashoutId: number; externalId?: string }
  | { cashoutId?: number; externalId: string };

const USER_AGENT = `${SERVICE_NAME}/${SERVICE_VERSION}`;

/** Signed client for D24's Cashouts API v3. Every method throws only `CashoutError` subclasses. */
export class D24Client {
  readonly #origin: string;
  readonly #credentials: D24Credentials;
  readonly #limits: Limits;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #onCall: ((event: D24CallEvent) => void) | undefined;

  constructor(options: D24ClientOptions) {
    this.#origin = new URL(options.baseUrl).origin;
    this.#credentials = options.credentials;
    const timeoutMs = options.timeoutMs ?? 15_000;
    this.#limits = { timeoutMs, maxResponseBytes: options.maxResponseBytes ?? 64 * 1024 };
    this.#ownsDispatcher = !options.dispatcher;
    this.#dispatcher =
      options.dispatcher ??
      createD24Pool(this.#origin, {
        connectTimeoutMs: Math.max(1, Math.min(10_000, Math.floor(timeoutMs / 2))),
      });
    this.#onCall = options.onCall;
  }

  /** `DELETE /v3/cashout/cancel`: PENDING or ON_HOLD → CANCELLED. D24 needs both ids. */
  cancelCashout(
    input: { cashoutId: number; externalId: string },
    context?: CallContext,
  ): Promise<StatusChange> {
    const body = { cashout_id: toWireId(input.cashoutId), external_id: input.externalId };
    return this.#changeStatus('cancel', body, 'CANCELLED', input, context);
  }

  /** `PUT /v3/cashout/status` with `ON_HOLD`: PENDING → ON_HOLD. */
  async holdCashout(input: { cashoutId: number }, context?: CallContext): Promise<StatusChange> {
    const body = { cashout_id: toWireId(input.cashoutId), status: 'ON_HOLD' };
    return this.#changeStatus('updateStatus', body, 'ON_HOLD', input, context);
  }

  /** `PUT /v3/cashout/status` with `PENDING`: ON_HOLD → PENDING. */
  async releaseCashout(input: { cashoutId: number }, context?: CallContext): Promise<StatusChange> {
    const body = { cashout_id: toWireId(input.cashoutId), status: 'PENDING' };
    return this.#changeStatus('updateStatus', body, 'PENDING', input, context);
  }

  /** `POST /v3/cashout/status`, by D24's id, the merchant's external id, or both. */
  async getCashoutStatus(lookup: CashoutLookup, context?: CallContext): Promise<CashoutState> {
    const body: Record<string, unknown> = {};
    if (lookup.cashoutId !== undefined) body.cashout_id = toWireId(lookup.cashoutId);
    if (lookup.externalId !== undefined) body.external_id = lookup.externalId;
    return this.#call('status', body, lookup, null, context);
  }

  /** Closes the connection pool if the client created it, once the calls in flight have their answers. */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.close();
  }

  /** Closes the pool at once, ending calls in flight (a shutdown whose grace period ran out). */
  async destroy(): Promise<void> {
    if (this.#ownsDispatcher) await this.#dispatcher.destroy();
  }

  /**
   * A state change, never retried. On D24's 510 one look-up decides: already in the requested status → a safe
   * replay (`changed: false`); otherwise the error carries the status the look-up found (null if it failed).
   */
  #changeStatus(
    endpoint: 'cancel' | 'updateStatus',
    body: Record<string, unknown>,
    requested: CashoutStatus,
    ids: { cashoutId: number; externalId?: string },
    context: CallContext | undefined,
  ): Promise<StatusChange> {
    return this.#call(endpoint, body, ids, requested, context).then(
      (cashout) => ({ cashout, changed: true }),
      (error: unknown) => this.#afterRefusal(error, requested, ids, context),
    );
  }

  async #afterRefusal(
    error: unknown,
    requested: CashoutStatus,
    ids: { cashoutId: number; externalId?: string },
    context: CallContext | undefined,
  ): Promise<StatusChange> {
    if (!(error instanceof InvalidStatusTransitionError) || error.currentStatus !== null) throw error;
    const current = await this.getCashoutStatus(ids, context).catch(() => null);
    if (current?.status === requested) return { cashout: current, changed: false };
    throw new InvalidStatusTransitionError(requested, current?.status ?? null, error.code);
  }

  #call(
    endpoint: D24EndpointName,
    fields: Record<string, unknown>,
    ids: { cashoutId?: number; externalId?: string },
    requested: CashoutStatus | null,
    context: CallContext | undefined,
  ): Promise<CashoutState> {
    const { method, path } = D24_ENDPOINTS[endpoint];
    const json = JSON.stringify({ login: this.#credentials.login, pass: this.#credentials.pass, ...fields });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'payload-signature': sign(json, this.#credentials.secretKey),
      'user-agent': USER_AGENT,
    };
    if (context?.requestId) headers['x-request-id'] = context.requestId;
    const started = this.#onCall ? performance.now() : 0;
    const answered = send(
      this.#dispatcher,
      this.#origin,
      { method, path, headers, body: json },
      this.#limits,
    ).then((answer) =>
      interpretAnswer(
        answer,
        {
          cashoutId: ids.cashoutId === undefined ? null : String(ids.cashoutId),
          externalId: ids.externalId ?? null,
        },
        requested,
      ),
    );
    return this.#onCall ? observed(answered, this.#onCall, endpoint, started, context) : answered;
  }
}

/** Reports how the call ended to `onCall` (metrics, logs), passing its result or error through unchanged. */
function observed(
  answered: Promise<CashoutState>,
  onCall: (event: D24CallEvent) => void,
  endpoint: D24EndpointName,
  started: number,
  context: CallContext | undefined,
): Promise<CashoutState> {
  const report = (outcome: D24CallEvent['outcome'], code?: number) => {
    const event: D24CallEvent = { endpoint, durationMs: performance.now() - started, outcome };
    if (code) event.code = code;
    if (context?.requestId) event.requestId = context.requestId;
    onCall(event);
  };
  return answered.then(
    (state) => {
      report('ok');
      return state;
    },
    (error: unknown) => {
      if (error instanceof D24UnavailableError)
        report(error.outcome === 'NOT_APPLIED' ? 'not_applied' : 'unknown');
      else if (error instanceof CashoutError)
        report('d24_error', (error as CashoutError & { code?: number }).code);
      else report('ok');
      throw error;
    },
  );
}

/** D24 takes `cashout_id` as a JSON number; anything else must have been refused before this point. */
function toWireId(cashoutId: number): number {
  if (!Number.isSafeInteger(cashoutId) || cashoutId < 1)
    throw new RangeError('cashoutId must be a positive safe integer');
  return cashoutId;
}
