import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import type { Config } from '../../config.js';

export const SERVICE_LOGGER_NAME = 'd24-cashout-graphql';
export const AUDIT_LOGGER_NAME = 'audit';

const SECRET_KEYS = [
  'login',
  'pass',
  'password',
  'secretKey',
  'secret_key',
  'secret',
  'signature',
  'credentials',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  'token',
  'payload-signature',
  'Payload-Signature',
  'D24_LOGIN',
  'D24_PASS',
  'D24_SECRET_KEY',
  'AUTH_JWT_SECRET',
];

/**
 * Every place a D24 secret, a signature or a bearer token could sit in a logged object, up to three levels deep
 * (`{ pass }`, `{ credentials: { pass } }`, `{ req: { headers: { authorization } } }`, `{ env: { D24_PASS } }`).
 * Redaction is configuration: nothing relies on a caller remembering to strip a field.
 *
 * Shallow paths come first, on purpose: @pinojs/redact 0.4 clones only along one branch when a key matches both a
 * name and `*`, so a deeper path applied first would write the censor into the caller's own object (e.g. the D24
 * client's live credentials). Replacing the shallow value first leaves nothing below it to write into.
 */
export const REDACT_PATHS: readonly string[] = ['', '*.', '*.*.'].flatMap((prefix) =>
  SECRET_KEYS.map((key) => (/^\w+$/.test(key) ? `${prefix}${key}` : `${prefix.slice(0, -1)}["${key}"]`)),
);

/** The audit event is flat (audit.ts builds it from fixed fields), so its logger needs only the top-level keys. */
export const AUDIT_REDACT_PATHS: readonly string[] = REDACT_PATHS.slice(0, SECRET_KEYS.length);

export const REDACTED = '[redacted]';

/** The service's loggers: `logger` for everything, `audit` (its own `name`) for the audit trail only. */
export interface Loggers {
  logger: Logger;
  audit: Logger;
  /** Writes out whatever is buffered; call before `process.exit`. */
  flush(): void;
}

/** The service logger's options: level, redaction. Tests build their loggers from these too. */
export function loggerOptions(config: Pick<Config, 'logLevel'>): LoggerOptions {
  return { level: config.logLevel, redact: { paths: [...REDACT_PATHS], censor: REDACTED } };
}

/**
 * The audit logger's: written at `info` whatever LOG_LEVEL says (unless `silent`), redacting top-level keys only.
 * Its line is the one log line of every mutation at `info`; three levels of wildcard paths cost 8% of a request.
 */
export function auditLoggerOptions(config: Pick<Config, 'logLevel'>): LoggerOptions {
  return {
    name: AUDIT_LOGGER_NAME,
    level: config.logLevel === 'silent' ? 'silent' : 'info',
    redact: { paths: [...AUDIT_REDACT_PATHS], censor: REDACTED },
  };
}

/**
 * pino-pretty in a worker thread. Bundled into dist/main.cjs, pino cannot find the files its workers run beside
 * itself: pino's documented `__bundlerPathsOverrides` names them in node_modules (docs/bundling.md of pino).
 */
function prettyInWorker(): DestinationStream {
  const resolve = createRequire(import.meta.url).resolve;
  const pinoEntry = resolve('pino');
  (globalThis as { __bundlerPathsOverrides?: Record<string, string> }).__bundlerPathsOverrides ??= {
    'thread-stream-worker': createRequire(pinoEntry).resolve('thread-stream/lib/worker.js'),
    'pino-worker': resolve('pino/lib/worker.js'),
    'pino/file': resolve('pino/file.js'),
  };
  return pino.transport({ target: 'pino-pretty', options: { colorize: true } });
}

/** JSON logs in production, readable ones in development; one destination shared by both loggers. */
export function createLoggers(config: Pick<Config, 'logLevel' | 'production'>): Loggers {
  // Production: asynchronous writes to stdout (flushed before exit); development: pino-pretty in a worker.
  const stdout = config.production ? pino.destination({ dest: 1, sync: false }) : null;
  const destination: DestinationStream = stdout ?? prettyInWorker();
  const logger = pino({ ...loggerOptions(config), name: SERVICE_LOGGER_NAME }, destination);
  const audit = pino(auditLoggerOptions(config), destination);
  return {
    logger,
    audit,
    flush() {
      try {
        if (stdout) stdout.flushSync();
        else logger.flush();
      } catch {
        // Nothing written yet: nothing to flush.
      }
    },
  };
}
