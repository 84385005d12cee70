import type { Plugin } from 'graphql-yoga';
import { CODE, topLevelError } from '../errors.js';

const CONTENT_LENGTH = /^\d+$/;

const tooLarge = () => topLevelError(CODE.REQUEST_ENTITY_TOO_LARGE);

/**
 * Yoga's request-body limit (use with `maxRequestBodySize: false`) without its per-request cost: Yoga pipes every
 * body through a TransformStream to count it, the costliest step of a request in `npm run bench`. Node's HTTP
 * parser never reads past a Content-Length, so checking the header is enough; only a body without one (chunked)
 * is counted as it streams. Must be the last plugin, after every request parser.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength != null) {
        if (!CONTENT_LENGTH.test(contentLength)) {
          throw topLevelError(CODE.BAD_REQUEST, 'Content-Length header is invalid.');
        }
        if (Number(contentLength) > maxBytes) throw tooLarge();
        return;
      }
      const body = request.body;
      if (!requestParser || !body) return;
      let bytesRead = 0;
      // As Yoga does: a native body needs the native TransformStream (graphql-hive/graphql-yoga#4583).
      const Transform =
        body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
      const counted = body.pipeThrough(
        new Transform<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            bytesRead += chunk.byteLength;
            if (bytesRead > maxBytes) controller.error(tooLarge());
            else controller.enqueue(chunk);
          },
        }),
      );
      const limited = new fetchAPI.Request(request.url, {
        method: request.method,
        headers: request.headers,
        signal: request.signal,
        body: counted,
        duplex: 'half',
      } as RequestInit);
      setRequestParser(() => requestParser(limited));
    },
  };
}
