import { createRequire } from 'node:module';
import type { GraphiQLOptions } from 'graphql-yoga';
import { exampleOperations } from './examples.js';

/** GraphiQL opening on a tab per example operation, variables filled in with seeded cashouts. */
export function graphiqlOptions() {
  const tabs = exampleOperations().map(({ document, variables }) => ({ query: document, variables }));
  // GraphiQL leaves the first default tab's variables editor empty (graphql/graphiql#3392); Yoga's page also
  // reads a top-level `variables` (absent from its types) into that editor, so give it the first tab's.
  // GraphiQL sends a subscription as a GET over SSE, which CSRF prevention refuses without one of its headers.
  return {
    title: 'D24 cashouts',
    additionalHeaders: { 'x-graphql-yoga-csrf': 'graphiql' },
    defaultTabs: tabs,
    variables: tabs[0]?.variables,
  } as { title: string };
}

/**
 * GraphiQL's page, its renderer (18 MB, outside the bundle) loaded the first time GraphiQL is shown. By require(),
 * not import(): the bundle runs from V8's code cache (src/start.cts), and Node 20 loses a cached script's import()
 * callback.
 */
export function renderGraphiQLWhenShown(options?: GraphiQLOptions): string {
  const renderer = createRequire(import.meta.url)(
    '@graphql-yoga/render-graphiql',
  ) as typeof import('@graphql-yoga/render-graphiql');
  return renderer.renderGraphiQL(options);
}
