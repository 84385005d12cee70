import { readdirSync, readFileSync } from 'node:fs';

/** GraphiQL opening on the example operations, variables filled in with seeded cashouts. */
export function graphiqlOptions() {
  const tabs = exampleTabs();
  // GraphiQL leaves the first default tab's variables editor empty (graphql/graphiql#3392); Yoga's page also
  // reads a top-level `variables` (absent from its types) into that editor, so give it the first tab's.
  return { title: 'D24 cashouts', defaultTabs: tabs, variables: tabs[0]?.variables } as { title: string };
}

/** A GraphiQL tab per example operation in schema/operations, with its `# GraphiQL variables:` line. */
export function exampleTabs(): { query: string; variables: string }[] {
  const dir = new URL('../../schema/operations/', import.meta.url);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort((a, b) => tabOrder(a) - tabOrder(b))
    .map((file) => {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const variables = /^# GraphiQL variables: (.*)$/m.exec(text)?.[1] ?? '{}';
      return { query: text.replace(/^# GraphiQL variables: .*\n/m, ''), variables };
    });
}

// The first thing a newcomer should try is holding a seeded PENDING cashout.
const ORDER = ['holdCashout.graphql', 'releaseCashout.graphql', 'cancelCashout.graphql', 'cashout.graphql'];
const tabOrder = (file: string) => (ORDER.includes(file) ? ORDER.indexOf(file) : ORDER.length);
