// Over 200 lines: notification delivery, its retry schedule and its injected faults are one state machine.
import http from 'node:http';
import https from 'node:https';
import { d24Date, notificationBody } from '../notifications/control.js';
import { FaultBook } from './faults.js';
import { RequestLog } from './request-log.js';
import type {
  NotificationAttempt,
  NotificationFault,
  NotificationFaults,
  SandboxCashout,
  SandboxNotifications,
} from './types.js';

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [2_000, 4_000, 8_000, 16_000, 32_000];
const POST_TIMEOUT_MS = 10_000;
const COMMENTS: Partial<Record<SandboxCashout['status'], string>> = {
  DELIVERED: 'Sent to the bank',
  COMPLETED: 'Paid by the bank',
  REJECTED: 'Rejected by the bank',
};

interface Job {
  url: string;
  cashoutId: number;
  externalId: string;
  body: string;
  forged: boolean;
}

export interface NotifierOptions {
  url: string | null;
  secretKey: string;
  retryDelaysMs: readonly number[];
  /** Uniform in [0, 1): the sandbox's seeded random source. */
  random: () => number;
  logSize: number;
}

/** Posts D24's notifications of the sandbox's own moves, as D24 does: form-encoded, signed, retried until a 2xx. */
export class Notifier implements SandboxNotifications {
  url: string | null;
  readonly faults: NotificationFaults;
  readonly #options: NotifierOptions;
  readonly #book = new FaultBook<NotificationFault>();
  #random: { fault: NotificationFault; probability: number }[] = [];
  readonly #log: RequestLog<NotificationAttempt>;
  #held: Job[] = [];
  readonly #scheduled = new Map<NodeJS.Timeout, () => void>();
  #inFlight = 0;
  #settledWaiters: (() => void)[] = [];
  #attemptWaiters: {
    match: (attempt: NotificationAttempt) => boolean;
    resolve: (a: NotificationAttempt) => void;
  }[] = [];
  // node:http, not undici: the service's bundle then loads only undici's Pool (src/d24/transport.ts), not all of it.
  readonly #agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 8 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 8 }),
  };
  #closed = false;

  constructor(options: NotifierOptions) {
    this.#options = options;
    this.url = options.url;
    this.#log = new RequestLog<NotificationAttempt>(options.logSize);
    const book = this.#book;
    this.faults = {
      next: (fault, count) => book.next(fault, count),
      forCashout: (cashoutId, fault, times) => book.forCashout(cashoutId, fault, times),
      random: (fault, probability) => {
        if (!(probability >= 0 && probability <= 1)) throw new RangeError('probability must be in [0, 1]');
        this.#random.push({ fault, probability });
      },
      clear: () => {
        book.clear();
        this.#random = [];
      },
    };
  }

  get attempts(): readonly NotificationAttempt[] {
    return this.#log.toArray();
  }

  /** A notification of the cashout's new state (D24's own move), subject to the armed faults. */
  notify(cashout: Readonly<SandboxCashout>, at: Date = new Date()): void {
    if (!this.url || this.#closed) return;
    const fault = this.#book.take(cashout.cashoutId) ?? this.#randomFault();
    const forged = fault?.kind === 'forge';
    const fields = {
      date: d24Date(at),
      bank_reference_id: cashout.bankReferenceId ?? '',
      comments: COMMENTS[cashout.status] ?? '',
      external_id: cashout.externalId,
      cashout_id: cashout.cashoutId,
      status_reason: cashout.status === 'REJECTED' ? (cashout.rejection?.reason ?? '') : '',
    };
    // A forgery: right fields, control string made with a key that is not the merchant's.
    const key = forged ? `${this.#options.secretKey}-not-the-key` : this.#options.secretKey;
    const job: Job = {
      url: this.url,
      cashoutId: cashout.cashoutId,
      externalId: cashout.externalId,
      body: notificationBody(fields, key),
      forged,
    };
    switch (fault?.kind) {
      case 'drop':
        return;
      case 'hold':
        this.#held.push(job);
        return;
      case 'delay':
        this.#schedule(fault.ms, () => void this.#deliver(job, 1));
        return;
      case 'duplicate':
        for (let copy = 0; copy < (fault.copies ?? 5); copy++) void this.#deliver(job, 1);
        return;
      default:
        void this.#deliver(job, 1);
    }
  }

  async release(order: 'oldest-first' | 'reverse' = 'oldest-first'): Promise<void> {
    const held = order === 'reverse' ? this.#held.reverse() : this.#held;
    this.#held = [];
    for (const job of held) await this.#deliver(job, 1);
  }

  flushRetries(): void {
    const runs = [...this.#scheduled];
    this.#scheduled.clear();
    for (const [timer, run] of runs) {
      clearTimeout(timer);
      run();
    }
    this.#checkSettled();
  }

  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.#settledWaiters.push(resolve);
      this.#checkSettled();
    });
  }

  nextAttempt(match: (attempt: NotificationAttempt) => boolean = () => true): Promise<NotificationAttempt> {
    return new Promise((resolve) => this.#attemptWaiters.push({ match, resolve }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#scheduled.keys()) clearTimeout(timer);
    this.#scheduled.clear();
    this.#held = [];
    for (const agent of Object.values(this.#agents)) agent.destroy();
    this.#checkSettled();
  }

  #randomFault(): NotificationFault | undefined {
    for (const { fault, probability } of this.#random) if (this.#options.random() < probability) return fault;
    return undefined;
  }

  #schedule(ms: number, run: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#scheduled.delete(timer);
      run();
      this.#checkSettled();
    }, ms);
    this.#scheduled.set(timer, run);
  }

  async #deliver(job: Job, attempt: number): Promise<void> {
    if (this.#closed) return;
    this.#inFlight++;
    const status = await this.#post(job);
    const record: NotificationAttempt = {
      cashoutId: job.cashoutId,
      externalId: job.externalId,
      body: job.body,
      attempt,
      forged: job.forged,
      status,
    };
    this.#log.push(record);
    const retryIn = this.#options.retryDelaysMs[attempt - 1];
    if ((status === null || status < 200 || status > 299) && retryIn !== undefined) {
      this.#schedule(retryIn, () => void this.#deliver(job, attempt + 1));
    }
    this.#inFlight--;
    this.#attemptWaiters = this.#attemptWaiters.filter((waiter) => {
      if (!waiter.match(record)) return true;
      waiter.resolve(record);
      return false;
    });
    this.#checkSettled();
  }

  /** The answer's status, or null when refused, reset or silent for POST_TIMEOUT_MS: D24 retries these like any non-2xx. */
  #post(job: Job): Promise<number | null> {
    return new Promise((resolve) => {
      const url = new URL(job.url);
      const secure = url.protocol === 'https:';
      const post = secure ? https.request : http.request;
      const req = post(
        url,
        {
          method: 'POST',
          agent: secure ? this.#agents.https : this.#agents.http,
          timeout: POST_TIMEOUT_MS,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(job.body),
            'user-agent': 'D24-sandbox-notifier',
          },
        },
        (res) => {
          res.once('error', () => resolve(null));
          res.once('end', () => resolve(res.statusCode ?? null));
          res.resume();
        },
      );
      req.once('timeout', () => req.destroy());
      req.once('error', () => resolve(null));
      req.end(job.body);
    });
  }

  #checkSettled(): void {
    if (this.#inFlight > 0 || (this.#scheduled.size > 0 && !this.#closed)) return;
    const waiters = this.#settledWaiters;
    this.#settledWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
