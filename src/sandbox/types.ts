import type { CashoutStatus } from '../d24/wire.js';

/** Credentials the sandbox accepts: cashout login/pass and the API Signature key. */
export interface SandboxCredentials {
  login: string;
  pass: string;
  secretKey: string;
}

export interface SandboxOptions {
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default SANDBOX_CREDENTIALS. */
  credentials?: SandboxCredentials;
  /** Default true: start with SEEDED_CASHOUTS. */
  seed?: boolean;
  /** Default 1000: size of the ring buffer of received requests (0 keeps none). */
  requestLogSize?: number;
  /** Where notifications of D24's own moves are posted (settable later as `notifications.url`). Default none. */
  notifyUrl?: string;
  /** Waits before each of D24's (up to 5) retries of a notification. Default 2, 4, 8, 16, 32 s. */
  notificationRetryDelaysMs?: readonly number[];
  /** Seed of the random source behind `tick()` and random notification faults (default 24). */
  randomSeed?: number;
}

export interface Rejection {
  code: number;
  reason: string;
}

export interface SandboxCashout {
  cashoutId: number;
  externalId: string;
  status: CashoutStatus;
  rejection?: Rejection;
  bankReferenceId?: string;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  receivedAt: number;
}

/**
 * A failure the sandbox plays instead of (or around) its normal answer. `apply`: whether the requested state
 * change really happens; defaults to true for delay, slowBody and malformed, false for the others.
 */
export type Fault =
  | { kind: 'delay'; ms: number; apply?: boolean }
  | { kind: 'hang'; apply?: boolean }
  | { kind: 'reset'; apply?: boolean }
  | { kind: 'http5xx'; status?: number; apply?: boolean }
  | { kind: 'malformed'; apply?: boolean }
  | { kind: 'slowBody'; ms: number; apply?: boolean }
  | { kind: 'code'; code: number; httpStatus?: number; message?: string; apply?: boolean }
  // Any answer at all (default 200, application/json): for answers D24 should not give but might.
  | { kind: 'respond'; body: string; httpStatus?: number; contentType?: string; apply?: boolean };

export interface SandboxFaults<F = Fault> {
  /** The next `count` (default 1) API requests (or notifications), whatever cashout, suffer `fault`. Queued in order. */
  next(fault: F, count?: number): void;
  /** Every request naming this cashout_id suffers `fault`, `times` times (default: until cleared). Takes precedence over next(). */
  forCashout(cashoutId: number, fault: F, times?: number): void;
  clear(): void;
}

/**
 * What can happen to a notification on its way to the merchant: never sent (`drop`), sent `copies` times at once
 * (`duplicate`, default 5), sent `ms` later (`delay`), kept until `release()` (`hold`: late, or out of order), or
 * sent with a wrong control string (`forge`).
 */
export type NotificationFault =
  | { kind: 'drop' }
  | { kind: 'duplicate'; copies?: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'hold' }
  | { kind: 'forge' };

/** One POST of a notification (a retry or a duplicate copy is another attempt). */
export interface NotificationAttempt {
  cashoutId: number;
  externalId: string;
  /** The form body exactly as posted. */
  body: string;
  /** 1 for the first try, up to 6 (D24 retries up to 5 more times until a 2xx). */
  attempt: number;
  forged: boolean;
  /** The HTTP status the merchant answered, or null when the POST failed (refused, reset, timeout). */
  status: number | null;
}

export interface NotificationFaults extends SandboxFaults<NotificationFault> {
  /** Each notification suffers `fault` with this probability, from the sandbox's seeded random source. */
  random(fault: NotificationFault, probability: number): void;
}

export interface SandboxNotifications {
  /** Where notifications are posted; null: nowhere (they are not even queued). */
  url: string | null;
  readonly faults: NotificationFaults;
  /** Attempts made, oldest first (bounded by requestLogSize). */
  readonly attempts: readonly NotificationAttempt[];
  /** Sends the held notifications now, one after another, oldest first or in reverse order. */
  release(order?: 'oldest-first' | 'reverse'): Promise<void>;
  /** Runs every scheduled retry (and delayed notification) now instead of at its time. */
  flushRetries(): void;
  /** Resolves when nothing is in flight, waiting for a retry or delayed (held ones excepted). */
  settled(): Promise<void>;
  /** Resolves with the next attempt (from now on) that matches. */
  nextAttempt(match?: (attempt: NotificationAttempt) => boolean): Promise<NotificationAttempt>;
}

/** A running D24 Cashouts API v3 simulator. */
export interface Sandbox {
  /** e.g. 'http://127.0.0.1:43123' (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly credentials: SandboxCredentials;
  /** Create a cashout directly (tests). Default status PENDING; externalId default `ext-<id>`; ids from 100000 upward. */
  create(init?: { externalId?: string; status?: CashoutStatus; rejection?: Rejection }): SandboxCashout;
  /** A copy of the cashout, or undefined. */
  get(cashoutId: number): SandboxCashout | undefined;
  findByExternalId(externalId: string): SandboxCashout | undefined;
  /**
   * Move a cashout as D24 itself would: PENDING->DELIVERED, DELIVERED->COMPLETED|REJECTED, COMPLETED->REJECTED
   * (bank return). Throws on any other move. REJECTED default rejection {code: 808, reason: 'ERROR_OTHER'}.
   * Posts a notification of the change when `notifications.url` is set.
   */
  advance(
    cashoutId: number,
    to: 'DELIVERED' | 'COMPLETED' | 'REJECTED',
    rejection?: Rejection,
  ): SandboxCashout;
  readonly faults: SandboxFaults;
  /** D24's notifications of its own moves (`advance`, `tick`): where they go, and what goes wrong. */
  readonly notifications: SandboxNotifications;
  /**
   * One step of D24's own life: creates a cashout (unless `create: false`) and moves each cashout it may move
   * (every one not seeded, and seeded ones once someone touched them) along its randomly drawn, seeded plan.
   * Returns the cashouts it changed (created ones included).
   */
  tick(options?: { create?: boolean }): SandboxCashout[];
  /** Runs `tick()` every `intervalMs` until `stopLife()` or `close()` (what `npm start` does). */
  startLife(intervalMs: number): void;
  stopLife(): void;
  /** Received API requests, oldest first (bounded by requestLogSize). */
  readonly requests: readonly ReceivedRequest[];
  clearRequests(): void;
  /** TCP connections accepted since start (to prove the client's keep-alive pool is reused). */
  connectionCount(): number;
  /** API requests being answered now, and the most at once since start or the last reset. */
  requestConcurrency(): { current: number; max: number };
  resetRequestConcurrency(): void;
  /** Stop: destroys every socket, hanging ones included, and clears timers. Idempotent. */
  close(): Promise<void>;
}
