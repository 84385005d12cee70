import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifySignature } from '../d24/sign.js';
import type { D24EndpointName } from '../d24/wire.js';
import { D24_ENDPOINTS } from '../d24/wire.js';
import { readBody } from '../server/http/read-body.js';
import type { Answer } from './answers.js';
import {
  BAD_CREDENTIALS,
  BAD_SIGNATURE,
  BODY_TOO_LARGE,
  MALFORMED_BODY,
  NOT_FOUND_ROUTE,
} from './answers.js';
import type { FaultBook } from './faults.js';
import { applies } from './faults.js';
import type { Operation } from './operations.js';
import { execute, parseOperation, targetOf } from './operations.js';
import type { RequestLog } from './request-log.js';
import type { Timers } from './respond.js';
import { playFault, sendAnswer } from './respond.js';
import type { CashoutStore } from './store.js';
import type { SandboxCredentials } from './types.js';

// Larger bodies are refused with 413 without being read to the end.
const MAX_BODY_BYTES = 64 * 1024;

const ROUTES = new Map<string, D24EndpointName>(
  (Object.keys(D24_ENDPOINTS) as D24EndpointName[]).map((name) => [
    `${D24_ENDPOINTS[name].method} ${D24_ENDPOINTS[name].path}`,
    name,
  ]),
);

export interface HandlerState {
  store: CashoutStore;
  faults: FaultBook;
  log: RequestLog;
  timers: Timers;
  credentials: SandboxCredentials;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The sandbox's request listener: D24's checks in D24's order, then faults, then the state machine. */
export function createHandler(state: HandlerState): (req: IncomingMessage, res: ServerResponse) => void {
  const { store, faults, log, timers, credentials } = state;

  // Steps 3-6 of D24's checks: signature, JSON, credentials, fields.
  const check = (
    req: IncomingMessage,
    raw: Buffer,
    rawBody: string,
    endpoint: D24EndpointName,
  ): Operation | Answer => {
    const signature = req.headers['payload-signature'];
    if (typeof signature !== 'string' || !verifySignature(raw, credentials.secretKey, signature)) {
      return BAD_SIGNATURE;
    }
    const body = parseJson(rawBody);
    if (!isObject(body)) return MALFORMED_BODY;
    if (body.login !== credentials.login || body.pass !== credentials.pass) return BAD_CREDENTIALS;
    return parseOperation(endpoint, body);
  };

  const answer = (res: ServerResponse, op: Operation): void => {
    const fault = faults.take(targetOf(store, op));
    if (fault) playFault(res, fault, execute(store, op, applies(fault)), timers);
    else sendAnswer(res, execute(store, op, true));
  };

  return (req, res) => {
    const receivedAt = Date.now();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const endpoint = ROUTES.get(`${req.method} ${query === -1 ? url : url.slice(0, query)}`);
    readBody(req, MAX_BODY_BYTES, (raw, complete) => {
      const rawBody = raw.toString('utf8');
      log.push({ method: req.method ?? '', path: url, headers: req.headers, rawBody, receivedAt });
      // Part of an oversized body is left unread, so this connection cannot carry another request.
      if (!complete) res.setHeader('connection', 'close');
      let result: Operation | Answer = NOT_FOUND_ROUTE;
      if (endpoint) result = complete ? check(req, raw, rawBody, endpoint) : BODY_TOO_LARGE;
      if ('kind' in result) answer(res, result);
      else sendAnswer(res, result);
    });
  };
}
