import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { readBody } from '../server/http/read-body.js';
import { requestIdFrom } from '../server/http/request-id.js';
import { InvalidControlError, verifyControl } from './control.js';
import { MalformedNotificationError, parseNotification, type ReceivedNotification } from './form.js';

export const NOTIFICATIONS_PATH = '/d24/notifications';
/** D24's seven fields fit in far less; anything larger is not a notification. */
export const MAX_NOTIFICATION_BYTES = 8 * 1024;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;\s*charset="?utf-8"?\s*)?$/i;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** How one POST to the webhook ended: a bounded set of values, used as a metric label. */
export type WebhookResult =
  | 'accepted'
  | 'duplicate'
  | 'malformed'
  | 'forged'
  | 'unavailable'
  | 'too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed';

/** Where notifications are durably recorded (the ledger's inbox table). */
export interface NotificationRecorder {
  /** Records it once; `duplicate` when one with the same dedupe key was recorded before. Throws when it cannot. */
  record(notification: ReceivedNotification): Promise<{ duplicate: boolean }>;
}

export interface WebhookDeps {
  /** The API Signature key (D24_SECRET_KEY, or the sandbox's). */
  secretKey: string;
  recorder: NotificationRecorder;
  /** Called once a new notification is recorded: processing happens after the answer, never before it. */
  onRecorded(notification: ReceivedNotification, requestId: string): void;
  logger: Logger;
  onResult?(result: WebhookResult): void;
}

const STATUS: Record<WebhookResult, number> = {
  accepted: 200,
  duplicate: 200,
  malformed: 400,
  forged: 401,
  unavailable: 503,
  too_large: 413,
  unsupported_media_type: 415,
  method_not_allowed: 405,
};

/**
 * `POST /d24/notifications`, D24's webhook, outside GraphQL (D24 sends no bearer token). 200 only once the
 * notification is durably recorded, so D24 stops retrying; 503 while it cannot be, so D24 retries; 401 for a wrong
 * control, with nothing recorded. The control string is never logged, nor any field of a refused body.
 */
export function createNotificationWebhook(
  deps: WebhookDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger } = deps;
  const warnings = throttledWarnings(logger);
  const answer = (res: ServerResponse, requestId: string, result: WebhookResult, started: number) => {
    deps.onResult?.(result);
    const status = STATUS[result];
    if (!res.headersSent && !res.destroyed) {
      const text = JSON.stringify({ result });
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        'cache-control': 'no-store',
        'x-request-id': requestId,
        ...(result === 'method_not_allowed' && { allow: 'POST' }),
        ...(result === 'unavailable' && { 'retry-after': '30' }),
      });
      res.end(text);
    }
    if (logger.isLevelEnabled('debug')) {
      const durationMs = Math.round(performance.now() - started);
      logger.debug(
        { requestId, method: 'POST', path: NOTIFICATIONS_PATH, status, result, durationMs },
        'request',
      );
    }
  };

  return (req, res) => {
    const started = performance.now();
    const header = req.headers['x-request-id'];
    const requestId = requestIdFrom(Array.isArray(header) ? header[0] : header);
    if (req.method !== 'POST') {
      res.setHeader('connection', 'close'); // its body, if any, is left unread
      answer(res, requestId, 'method_not_allowed', started);
      return;
    }
    if (!FORM_TYPE.test(req.headers['content-type'] ?? '') || req.headers['content-encoding'] !== undefined) {
      res.setHeader('connection', 'close');
      answer(res, requestId, 'unsupported_media_type', started);
      return;
    }
    readBody(req, MAX_NOTIFICATION_BYTES, (raw, complete) => {
      if (!complete) {
        res.setHeader('connection', 'close');
        answer(res, requestId, 'too_large', started);
        return;
      }
      let notification: ReceivedNotification;
      try {
        notification = parseNotification(UTF8.decode(raw));
        verifyControl(notification, deps.secretKey);
      } catch (error) {
        if (error instanceof InvalidControlError) {
          warnings.warn('forged', { requestId }, 'D24 notification refused: wrong control string');
          answer(res, requestId, 'forged', started);
        } else {
          const reason = error instanceof MalformedNotificationError ? error.message : 'not UTF-8';
          logger.debug({ requestId, reason }, 'D24 notification refused: malformed');
          answer(res, requestId, 'malformed', started);
        }
        return;
      }
      deps.recorder.record(notification).then(
        ({ duplicate }) => {
          answer(res, requestId, duplicate ? 'duplicate' : 'accepted', started);
          if (!duplicate) deps.onRecorded(notification, requestId);
        },
        (error: unknown) => {
          warnings.warn(
            'unavailable',
            { requestId, err: { name: (error as Error)?.name } },
            'D24 notification not recorded (ledger unavailable): answered 503, D24 will retry',
          );
          answer(res, requestId, 'unavailable', started);
        },
      );
    });
  };
}

/** One warning per kind a minute at most, with how many were left out: a flood of forgeries cannot flood the log. */
function throttledWarnings(logger: Logger, everyMs = 60_000) {
  const last = new Map<string, { at: number; suppressed: number }>();
  return {
    warn(kind: string, fields: Record<string, unknown>, message: string) {
      const now = Date.now();
      const seen = last.get(kind);
      if (seen && now - seen.at < everyMs) {
        seen.suppressed++;
        return;
      }
      logger.warn({ ...fields, suppressedSinceLast: seen?.suppressed ?? 0 }, message);
      last.set(kind, { at: now, suppressed: 0 });
    },
  };
}
