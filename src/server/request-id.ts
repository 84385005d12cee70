import { randomUUID } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const ids = new WeakMap<Request, string>();

/** The request's id: the caller's `x-request-id` when it is a plain token, otherwise a fresh UUID. */
export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (id === undefined) {
    const given = request.headers.get('x-request-id');
    id = given && REQUEST_ID.test(given) ? given : randomUUID();
    ids.set(request, id);
  }
  return id;
}

/**
 * Gives every request an id (see `requestIdOf`), returns it as the `x-request-id` response header, and logs the
 * request at debug level (never info: the hot path stays one audit line per mutation).
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
        options.logger.debug(
          {
            requestId,
            method: request.method,
            path: new URL(request.url).pathname,
            status: response.status,
            durationMs: Math.round(performance.now() - start),
          },
          'request',
        );
      }
    },
  };
}
