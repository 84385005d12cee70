import { DecoratorHandler, type Dispatcher, Pool } from 'undici';
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
  return new Pool(origin, {
    connections: options.connections ?? 64,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { timeout: options.connectTimeoutMs },
  });
}

/** Per-call options key: called when undici starts writing that request to a socket. */
const ON_WRITE = Symbol('onWrite');
type TrackedOptions = Dispatcher.RequestOptions & { [ON_WRITE]?: () => void };

/** Tells a call when undici starts to write it to a socket (handlers hear `onRequestStart` right before). */
class WriteObserver extends DecoratorHandler {
  readonly #onWrite: () => void;

  constructor(handler: Dispatcher.DispatchHandler, onWrite: () => void) {
    super(handler);
    this.#onWrite = onWrite;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: object): void {
    (DecoratorHandler.prototype as Dispatcher.DispatchHandler).onRequestStart?.call(
      this,
      controller,
      context,
    );
    this.#onWrite();
  }
}

/**
 * The dispatcher the client sends through: `dispatcher` plus the interceptor that lets `send` tell a request that
 * never left the queue (a failure is NOT_APPLIED: it cannot have reached D24) from one that was written (UNKNOWN).
 */
export function observingWrites(dispatcher: Dispatcher): Dispatcher {
  return dispatcher.compose((dispatch) => (options, handler) => {
    const onWrite = (options as TrackedOptions)[ON_WRITE];
    return dispatch(options, onWrite ? new WriteObserver(handler, onWrite) : handler);
  });
}

export interface WireRequest {
  method: 'DELETE' | 'PUT' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Sends one request and reads its answer, turning every transport failure into a D24UnavailableError. */
export async function send(
  dispatcher: Dispatcher,
  origin: string,
  request: WireRequest,
  limits: { timeoutMs: number; maxResponseBytes: number },
): Promise<RawAnswer> {
  let response: Dispatcher.ResponseData;
  // Not AbortSignal.timeout(): its timer lives for the whole limit after the call ends, so under load thousands
  // of them (and their signals) stay on the heap. This one is cleared as soon as the answer is read.
  const controller = new AbortController();
  const { signal } = controller;
  let timer: NodeJS.Timeout | undefined;
  // undici settles a call still queued for a connection only when it leaves the queue, so the limit is enforced
  // here: a call waiting behind hung ones answers on time (NOT_APPLIED: undici drops it unwritten).
  const timeUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error('timeout'));
    }, limits.timeoutMs);
  });
  let written = false;
  const options: TrackedOptions = {
    origin,
    path: request.path,
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal,
    idempotent: false,
    [ON_WRITE]: () => {
      written = true;
    },
  };
  try {
    try {
      const pending = dispatcher.request(options);
      pending.catch(() => {}); // after a timeout it rejects too, unobserved
      response = await Promise.race([pending, timeUp]);
    } catch (error) {
      throw unavailable(error, signal, written);
    }
    try {
      return {
        httpStatus: response.statusCode,
        body: await readCapped(response.body, limits.maxResponseBytes),
      };
    } catch (error) {
      throw error instanceof D24UnavailableError ? error : unavailable(error, signal, written);
    }
  } finally {
    clearTimeout(timer);
  }
}

async function readCapped(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw new D24UnavailableError('UNKNOWN', `response larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function unavailable(error: unknown, signal: AbortSignal, written: boolean): D24UnavailableError {
  const code = errorCode(error);
  if (code && NOT_SENT_CODES.has(code)) return new D24UnavailableError('NOT_APPLIED', code);
  const reason = signal.aborted ? 'timeout' : (code ?? 'transport error');
  // Still queued for a connection when it ended (e.g. every pooled socket busy with a hung call): never sent.
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
