import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Answer } from './answers.js';
import { messageFor } from './answers.js';
import type { Fault } from './types.js';

const SLOW_BODY_PIECES = 5;

/** setTimeout calls that can all be cancelled at once; none start after clear(). */
export class Timers {
  readonly #pending = new Set<NodeJS.Timeout>();
  #stopped = false;

  after(ms: number, run: () => void): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      run();
    }, ms);
    this.#pending.add(timer);
  }

  clear(): void {
    this.#stopped = true;
    for (const timer of this.#pending) clearTimeout(timer);
    this.#pending.clear();
  }
}

function send(res: ServerResponse, status: number, contentType: string, text: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Send an answer as JSON. */
export function sendAnswer(res: ServerResponse, answer: Answer): void {
  send(res, answer.status, 'application/json', JSON.stringify(answer.body));
}

function loadBalancerPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

function trickle(res: ServerResponse, answer: Answer, ms: number, timers: Timers): void {
  const text = Buffer.from(JSON.stringify(answer.body));
  res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': text.length });
  res.flushHeaders();
  const size = Math.ceil(text.length / SLOW_BODY_PIECES);
  for (let piece = 0; piece < SLOW_BODY_PIECES; piece++) {
    const chunk = text.subarray(piece * size, (piece + 1) * size);
    const last = piece === SLOW_BODY_PIECES - 1;
    timers.after((ms * (piece + 1)) / SLOW_BODY_PIECES, () => {
      if (res.destroyed) return;
      if (last) res.end(chunk);
      else res.write(chunk);
    });
  }
}

/** Answer a request the way `fault` says; `answer` is what the sandbox would have said without it. */
export function playFault(res: ServerResponse, fault: Fault, answer: Answer, timers: Timers): void {
  switch (fault.kind) {
    case 'delay':
      timers.after(fault.ms, () => sendAnswer(res, answer));
      return;
    case 'hang':
      return; // the socket stays open until the client gives up or the sandbox closes
    case 'reset':
      res.socket?.resetAndDestroy();
      return;
    case 'http5xx': {
      const status = fault.status ?? 503;
      send(res, status, 'text/html', loadBalancerPage(status));
      return;
    }
    case 'malformed': {
      const text = JSON.stringify(answer.body);
      // Any proper prefix of a JSON object is invalid JSON.
      send(res, 200, 'application/json', text.slice(0, Math.max(1, text.length >> 1)));
      return;
    }
    case 'slowBody':
      trickle(res, answer, fault.ms, timers);
      return;
    case 'respond':
      send(res, fault.httpStatus ?? 200, fault.contentType ?? 'application/json', fault.body);
      return;
    case 'code':
      send(
        res,
        fault.httpStatus ?? 400,
        'application/json',
        JSON.stringify({
          code: fault.code,
          message: fault.message ?? messageFor(fault.code),
        }),
      );
      return;
  }
}
