import { type Logger, pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { type Service, type ServiceDeps, startService } from '../../src/service.js';
import { postGraphQL } from './http.js';

export interface TestService extends Service {
  sandbox: Sandbox;
  /** POSTs a GraphQL request to /graphql and returns the HTTP status and parsed body. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{
    status: number;
    headers: Headers;
    body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  }>;
}

/**
 * The real service on an ephemeral loopback port, as `npm start` runs it: on the embedded sandbox unless `env`
 * names a D24_BASE_URL. Pass a `logger` (and an `audit` logger) to capture log lines, and `sandboxNotifies: true`
 * for the sandbox to post its notifications to the service's webhook, as under `npm start`.
 */
export async function startTestService(
  env: Record<string, string> = {},
  options: {
    logger?: Logger;
    audit?: Logger;
    sandboxNotifies?: boolean;
    serverLimits?: ServiceDeps['serverLimits'];
  } = {},
): Promise<TestService> {
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    D24_TIMEOUT_MS: '1000',
    // Never ./data/ledger.sqlite (the default with a D24_BASE_URL): each test service has a ledger of its own.
    DATABASE_URL: 'file::memory:',
    ...env,
  });
  const service = await startService(config, {
    logger: options.logger ?? pino({ level: 'silent' }),
    ...(options.audit && { audit: options.audit }),
    // Off unless asked: the sandbox's notifications make Status calls of their own, which tests counting D24
    // requests (or arming the sandbox's next faults) do not expect.
    sandboxNotifies: options.sandboxNotifies ?? false,
    ...(options.serverLimits && { serverLimits: options.serverLimits }),
  });
  return Object.assign(service, {
    sandbox: service.sandbox as Sandbox,
    graphql: (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) =>
      postGraphQL(service.url, { query, variables }, headers),
  }) as TestService;
}
