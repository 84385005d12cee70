import type { Dispatcher, Pool } from 'undici';
import PoolClass from 'undici/lib/dispatcher/pool.js';
import type { RawAnswer } from './answer.js';
import { D24UnavailableError } from './errors.js';

/** Errors raised before a request could be written: the operation cannot have happened. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export interface PoolOptions {
  /** Upper bound of keep-alive connections to D24. */
  connections?: number;
  /** Kept below the call limit so an unreachable D24 fails as "not sent" rather than as a timeout. */
  connectTimeoutMs: number;
}

/** One keep-alive pool per D24 origin; the client takes it (or any dispatcher) by injection. */
export function createD24Pool(origin: string, options: PoolOptions): Pool {
  return new PoolClass(origin, {
    connections: options.connections ?? 64,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { timeout: options.connectTimeoutMs },
  });
}

export interface WireRequest {
  method: 'DELETE' | 'PUT' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Limits {
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Thrown from onRequestStart to drop a call whose limit ran out in the queue: undici then never writes it. */
const DROPPED = new Error('time limit ran out before sending');

/**
 * One call as an undici dispatch handler: it sees the moment undici starts writing the request to a socket
 * (`onRequestStart`), collects the answer up to the cap, and settles once — with the answer, or with the transport
 * failure as a D24UnavailableError that says whether the request can have reached D24. No stream, abort signal or
 * interceptor per call: in `npm run bench` those cost more than the rest of the client together.
 */
class Call implements Dispatcher.DispatchHandler {
  readonly #resolve: (answer: RawAnswer) => void;
  readonly #reject: (error: D24UnavailableError) => void;
  readonly #maxBytes: number;
  readonly #timer: NodeJS.Timeout;
  #controller: Dispatcher.DispatchController | null = null;
  #status = 0;
  #chunks: Buffer[] = [];
  #size = 0;
  #settled = false;

  constructor(
    resolve: (answer: RawAnswer) => void,
    reject: (error: D24UnavailableError) => void,
    limits: Limits,
  ) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#maxBytes = limits.maxResponseBytes;
    this.#timer = setTimeout(timeUp, limits.timeoutMs, this);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // undici keeps a call queued for a connection until one is free, whatever happened to its caller; one whose
    // limit ran out while it waited was answered NOT_APPLIED then, so it must never be written now.
    if (this.#settled) throw DROPPED;
    this.#controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.#status = statusCode;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size > this.#maxBytes) {
      this.#fail(new D24UnavailableError('UNKNOWN', `response larger than ${this.#maxBytes} bytes`));
      controller.abort(DROPPED);
      return;
    }
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    const chunks = this.#chunks;
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    this.#resolve({ httpStatus: this.#status, body: body.toString('utf8') });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(unavailable(error, this.#controller !== null));
  }

  /** The limit ran out: a call never written is NOT_APPLIED; a written one is cut (UNKNOWN). */
  expire(): void {
    if (this.#settled) return;
    const written = this.#controller !== null;
    this.#fail(
      written
        ? new D24UnavailableError('UNKNOWN', 'timeout')
        : new D24UnavailableError('NOT_APPLIED', 'timeout before sending'),
    );
    this.#controller?.abort(DROPPED);
  }

  #fail(error: D24UnavailableError): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#timer);
    this.#reject(error);
  }
}

function timeUp(call: Call): void {
  call.expire();
}

/**
 * Sends one request and reads its answer (up to `maxResponseBytes`, within `timeoutMs` from the call, queueing
 * for a pooled connection included), turning every transport failure into a D24UnavailableError.
 */
export function send(
  dispatcher: Dispatcher,
  origin: string,
  request: WireRequest,
  limits: Limits,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(
      {
        origin,
        path: request.path,
        method: request.method,
        headers: request.headers,
        body: request.body,
        idempotent: false,
      },
      new Call(resolve, reject, limits),
    );
  });
}

function unavailable(error: unknown, written: boolean): D24UnavailableError {
  const code = errorCode(error);
  if (code && NOT_SENT_CODES.has(code)) return new D24UnavailableError('NOT_APPLIED', code);
  const reason = code ?? 'transport error';
  // Still queued for a connection when it ended (e.g. the pool was closed): never sent.
  if (!written) return new D24UnavailableError('NOT_APPLIED', `${reason} before sending`);
  return new D24UnavailableError('UNKNOWN', reason);
}

/** The system or undici error code, looking inside AggregateError (happy-eyeballs) and `cause`. */
function errorCode(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { code, errors, cause } = error as { code?: unknown; errors?: unknown[]; cause?: unknown };
  if (typeof code === 'string') return code;
  return errorCode(errors?.[0]) ?? errorCode(cause);
}
