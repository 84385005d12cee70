// What the hot path accepts from the wire: the request's shape from its headers, its body, and the document key.
import type { IncomingMessage } from 'node:http';
import { getCORSHeadersByRequestAndOptions } from '@whatwg-node/server';
import { CORS, persistedDocumentIdOf } from '../security/armor.js';

export type HotBody = {
  query?: string;
  documentId?: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
};

// Yoga's JSON parser takes `application/json` only in lower case (graphql-yoga 5.24 `isContentTypeMatch`); the
// charset parameter's value is case-insensitive. Anything else JSON to Yoga (another charset, a list) is left to it.
const JSON_TYPE = /^application\/json(?:;\s*[cC][hH][aA][rR][sS][eE][tT]=[uU][tT][fF]-8)?$/;
const DIGITS = /^\d+$/;
const HOT_BODY_KEYS = new Set(['query', 'documentId', 'operationName', 'variables', 'extensions']);

/**
 * The document a request names, as a cache key: the operation name as JSON (`null` when absent: an empty name is
 * another request, which Yoga refuses), then `id:<persisted document id>` (read as trusted documents read it) or
 * `q:<text>`. The name comes first, escaped, so no text and name can spell another pair's key. Null for shapes the
 * hot path leaves to Yoga (an id and a text together).
 */
export function keyOf(params: Record<string, unknown>): string | null {
  const { query, documentId, operationName, extensions } = params;
  // Yoga refuses (400) extensions that are not an object: a list too.
  if (extensions != null && (typeof extensions !== 'object' || Array.isArray(extensions))) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  const name = operationName == null ? 'null' : JSON.stringify(operationName);
  const id = persistedDocumentIdOf(params);
  if (id !== null) return query === undefined ? `${name}\nid:${id}` : null;
  return typeof query === 'string' && documentId === undefined ? `${name}\nq:${query}` : null;
}

/** From the headers alone: a JSON POST to /graphql, within the body limit, not compressed. */
export function isHotCandidate(req: IncomingMessage, maxBodyBytes: number): boolean {
  const { headers } = req;
  const length = headers['content-length'];
  return (
    req.method === 'POST' &&
    req.url === '/graphql' &&
    JSON_TYPE.test(headers['content-type'] ?? '') &&
    length !== undefined &&
    DIGITS.test(length) &&
    Number(length) <= maxBodyBytes &&
    headers['content-encoding'] === undefined &&
    headers['transfer-encoding'] === undefined
  );
}

/** The whole body, or null if the client went away first (events: cheaper than an async iterator per request). */
export function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', () => resolve(null));
    req.once('close', () => {
      if (!req.complete) resolve(null);
    });
  });
}

export function parseBody(raw: Buffer): HotBody | null {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  for (const name in body) if (!HOT_BODY_KEYS.has(name)) return null;
  const { variables } = body as { variables?: unknown };
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  return body as HotBody;
}

/** The CORS headers Yoga's CORS plugin adds to an answer (none without an Origin). */
export function corsHeaders(req: IncomingMessage): Record<string, string> | null {
  if (req.headers.origin === undefined) return null;
  const headers = { get: (name: string) => firstHeader(req.headers[name]) ?? null };
  return getCORSHeadersByRequestAndOptions({ headers } as Request, CORS);
}

export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
