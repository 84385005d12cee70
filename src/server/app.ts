import { randomUUID } from 'node:crypto';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { D24Client } from '../d24/client.js';
import type { Context } from '../schema/builder.js';
import { schema } from '../schema/index.js';
import { useAuthentication } from './auth.js';
import { exampleTabs } from './graphiql.js';
import { MemoryRateLimitStore, type RateLimitStore, useMutationRateLimit } from './rate-limit.js';
import { hardening } from './security.js';

export { SANDBOX_DEVELOPER } from './auth.js';

export interface AppDeps {
  d24: D24Client;
  logger: Logger;
  /** Mutation budgets per principal; in memory (per replica) unless a shared store is given. */
  rateLimitStore?: RateLimitStore;
}

export type App = YogaServerInstance<Record<string, never>, Context>;

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Builds the GraphQL app (a fetch-style handler and a node:http listener); `main.ts` makes it listen. */
export function createApp(config: Readonly<Config>, deps: AppDeps): App {
  const auth = useAuthentication(config.auth, deps.logger);
  const security = hardening(config);
  const rateLimit = useMutationRateLimit({
    limitPerMinute: config.rateLimitPerMinute,
    store: deps.rateLimitStore ?? new MemoryRateLimitStore({ limit: config.rateLimitPerMinute }),
  });
  return createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.graphiql ? { title: 'D24 cashouts', defaultTabs: exampleTabs() } : false,
    logging: deps.logger,
    ...security.options,
    // Order is deliberate: whatever refuses a request (auth, limits) comes before what observes or executes it.
    plugins: [auth.plugin, ...security.plugins, rateLimit],
    context: ({ request }) => {
      const given = request.headers.get('x-request-id');
      return {
        d24: deps.d24,
        requestId: given && REQUEST_ID.test(given) ? given : randomUUID(),
        principal: auth.principalOf(request),
      };
    },
  });
}
