import { exampleOperations } from './examples.js';

/** GraphiQL opening on a tab per example operation, variables filled in with seeded cashouts. */
export function graphiqlOptions() {
  const tabs = exampleOperations().map(({ document, variables }) => ({ query: document, variables }));
  // GraphiQL leaves the first default tab's variables editor empty (graphql/graphiql#3392); Yoga's page also
  // reads a top-level `variables` (absent from its types) into that editor, so give it the first tab's.
  return { title: 'D24 cashouts', defaultTabs: tabs, variables: tabs[0]?.variables } as { title: string };
}
