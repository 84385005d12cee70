import { randomUUID } from 'node:crypto';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { D24Client } from '../d24/client.js';
import { type Context, type Principal, SCOPES } from '../schema/builder.js';
import { schema } from '../schema/index.js';
import { useBodyLimit } from './body-limit.js';
import { exampleTabs } from './graphiql.js';
import { useGraphQlJitWhenLoaded } from './lazy-jit.js';

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
/** Yoga's default request-body limit, enforced by useBodyLimit. */
export const MAX_REQUEST_BODY_BYTES = 25_000_000;

/** Builds the GraphQL app (a fetch-style handler and a node:http listener); `main.ts` makes it listen. */
export function createApp(config: Readonly<Config>, deps: AppDeps): App {
  return createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.graphiql ? { title: 'D24 cashouts', defaultTabs: exampleTabs() } : false,
    logging: deps.logger,
    maxRequestBodySize: false,
    // Order is deliberate: whatever refuses a request (auth, limits) comes before what observes or executes it.
    // useBodyLimit stays last: it must see the request parser every other plugin chose.
    plugins: [useGraphQlJitWhenLoaded(), useBodyLimit(MAX_REQUEST_BODY_BYTES)],
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
