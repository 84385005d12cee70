import { randomUUID } from 'node:crypto';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { D24Client } from '../d24/client.js';
import { type Context, type Principal, SCOPES } from '../schema/builder.js';
import { schema } from '../schema/index.js';
import { exampleTabs } from './graphiql.js';
import { useParseLimits } from './parse-limits.js';
import { useBadParamsAs400 } from './request-params.js';

export interface AppDeps {
  d24: D24Client;
  logger: Logger;
}

export type App = YogaServerInstance<Record<string, never>, Context>;

/** On the embedded sandbox with no auth configured, every caller is this local developer. */
export const SANDBOX_DEVELOPER: Principal = Object.freeze({
  subject: 'sandbox-developer',
  scopes: new Set(SCOPES),
});

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Builds the GraphQL app (a fetch-style handler and a node:http listener); `main.ts` makes it listen. */
export function createApp(config: Readonly<Config>, deps: AppDeps): App {
  return createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // No field takes an upload; Yoga's multipart parser answered malformed forms with 200.
    multipart: false,
    graphiql: config.graphiql ? { title: 'D24 cashouts', defaultTabs: exampleTabs() } : false,
    logging: deps.logger,
    // Order is deliberate: whatever refuses a request (auth, limits) comes before what observes or executes it.
    plugins: [useParseLimits({ maxTokens: 2_000 }), useBadParamsAs400()],
    context: ({ request }) => {
      const given = request.headers.get('x-request-id');
      return {
        d24: deps.d24,
        requestId: given && REQUEST_ID.test(given) ? given : randomUUID(),
        principal: SANDBOX_DEVELOPER,
      };
    },
  });
}
