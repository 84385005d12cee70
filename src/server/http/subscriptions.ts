import type { Plugin } from 'graphql-yoga';
import { CODE, topLevelError } from '../errors.js';
import { answerMediaType, isStreamingMediaType } from '../hot-path/yoga-mirror.js';

/**
 * Refuses, before it starts, a subscription over HTTP whose request does not accept a stream (SSE or multipart).
 * Yoga would otherwise start it, answer 406 and never end it, leaving a stream that counts against the bounds.
 */
export function useStreamsOnlyWhenAccepted(): Plugin {
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const request = (args.contextValue as { request?: Request }).request;
      if (!request) return; // a WebSocket subscription (websocket.ts)
      if (isStreamingMediaType(answerMediaType(request.headers.get('accept')))) return;
      setResultAndStopExecution({
        errors: [
          topLevelError(CODE.BAD_REQUEST, 'A subscription needs a stream: send Accept: text/event-stream', {
            http: { status: 406 },
          }),
        ],
      });
    },
  };
}
