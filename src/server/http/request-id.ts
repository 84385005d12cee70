import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const ids = new WeakMap<Request, string>();

/** A request's id from its `x-request-id` header: the caller's when it is a plain token, otherwise a fresh UUID. */
export function requestIdFrom(given: string | null | undefined): string {
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The request's id (see `requestIdFrom`), the same each time it is asked. */
export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (id === undefined) {
    id = requestIdFrom(request.headers.get('x-request-id'));
    ids.set(request, id);
  }
  return id;
}

export interface RequestLine {
  requestId: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

/** The request line, at debug level (never info: the hot path stays one audit line per mutation). */
export function logRequest(logger: Logger, line: RequestLine): void {
  logger.debug({ ...line, durationMs: Math.round(line.durationMs) }, 'request');
}

/**
 * Gives every request an id (see `requestIdOf`), returns it as the `x-request-id` response header, and logs the
 * request line (`logRequest`) when debug is on.
 */
export function useRequestId(options: { logger: Logger }): Plugin {
  const started = new WeakMap<Request, number>();
  return {
    onRequest({ request }) {
      requestIdOf(request);
      if (options.logger.isLevelEnabled('debug')) started.set(request, performance.now());
    },
    onResponse({ request, response }) {
      const requestId = requestIdOf(request);
      response.headers.set('x-request-id', requestId);
      const start = started.get(request);
      if (start !== undefined) {
        logRequest(options.logger, {
          requestId,
          method: request.method,
          path: new URL(request.url).pathname,
          status: response.status,
          durationMs: performance.now() - start,
        });
      }
    },
  };
}
