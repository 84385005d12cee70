import { type Logger, pino } from 'pino';
import type { Config } from '../config.js';

/** JSON logs in production, readable ones in development. */
export function createLogger(config: Pick<Config, 'logLevel' | 'production'>): Logger {
  return pino({
    name: 'd24-cashout-graphql',
    level: config.logLevel,
    ...(!config.production && { transport: { target: 'pino-pretty', options: { colorize: true } } }),
  });
}
