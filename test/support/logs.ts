import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import { auditLoggerOptions, loggerOptions } from '../../src/server/observability/logger.js';

export type LogLine = Record<string, unknown> & { msg?: string; name?: string };

/** Real pino loggers (the service's options: level, redaction) writing into memory, as `createLoggers` does. */
export function captureLogs(level: 'info' | 'debug' | 'trace' = 'info') {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      raw.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const options = loggerOptions({ logLevel: level });
  const logger: Logger = pino(options, stream);
  const audit: Logger = pino(auditLoggerOptions({ logLevel: 'info' }), stream);
  return {
    logger,
    audit,
    /** Everything written, as text: for "this secret appears nowhere". */
    text: () => raw.join('\n'),
    lines: (): LogLine[] => raw.map((line) => JSON.parse(line)),
    auditLines: (): LogLine[] => raw.map((line) => JSON.parse(line)).filter((l) => l.name === 'audit'),
    clear: () => raw.splice(0),
  };
}
