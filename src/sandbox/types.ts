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

export interface SandboxFaults {
  /** The next `count` (default 1) API requests, whatever cashout, suffer `fault`. Queued in order. */
  next(fault: Fault, count?: number): void;
  /** Every request naming this cashout_id suffers `fault`, `times` times (default: until cleared). Takes precedence over next(). */
  forCashout(cashoutId: number, fault: Fault, times?: number): void;
  clear(): void;
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
   */
  advance(
    cashoutId: number,
    to: 'DELIVERED' | 'COMPLETED' | 'REJECTED',
    rejection?: Rejection,
  ): SandboxCashout;
  readonly faults: SandboxFaults;
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
