// How the hot path answers: a result as Yoga would write it, a hand-over to Yoga, and an unexpected failure.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendNodeResponse } from '@whatwg-node/server';
import type { ExecutionResult, GraphQLError } from 'graphql';
import { processRegularResult } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Yoga } from '../http/create-yoga.js';
import { corsHeaders } from './request.js';

export interface Answer {
  result: ExecutionResult;
  mediaType: string;
  requestId: string;
  /** The error masking Yoga is given too. */
  maskError?: (error: GraphQLError) => GraphQLError;
}

/** Writes the result with the headers Yoga would send; returns the HTTP status. */
export async function sendResult(
  yoga: Yoga,
  req: IncomingMessage,
  res: ServerResponse,
  { result, mediaType, requestId, maskError }: Answer,
): Promise<number> {
  if (result.errors?.length) {
    // Only an unexpected failure gets here (refusals went to Yoga): masked and answered as Yoga answers it.
    const masked = { ...result, errors: result.errors.map((error) => maskError?.(error) ?? error) };
    const response = processRegularResult(masked, yoga.fetchAPI, mediaType);
    response.headers.set('x-request-id', requestId);
    for (const [name, value] of Object.entries(corsHeaders(req) ?? {})) response.headers.set(name, value);
    await sendNodeResponse(response, res, req, false);
    return response.status;
  }
  const text = JSON.stringify(result);
  res.writeHead(200, {
    'content-type': `${mediaType}; charset=utf-8`,
    'content-length': Buffer.byteLength(text),
    'x-request-id': requestId,
    ...corsHeaders(req),
  });
  res.end(text);
  return 200;
}

/** Yoga's node:http handling of one request whose body has already been read. */
export async function viaYoga(
  yoga: Yoga,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const headers = new yoga.fetchAPI.Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const request = new yoga.fetchAPI.Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, {
    method: 'POST',
    headers,
    body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) as Uint8Array<ArrayBuffer>,
  });
  const response = await yoga.handleRequest(request, { req, res } as never);
  await sendNodeResponse(response, res, req, false);
}

export function answerFailure(res: ServerResponse, error: unknown, logger: Logger): void {
  logger.error({ err: error }, 'hot path failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
  res.end('{"errors":[{"message":"Unexpected error."}]}');
}
