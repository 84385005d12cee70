import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../version.js';

/** A GraphiQL tab per example operation in schema/operations, with its `# GraphiQL variables:` line. */
export function exampleTabs(): { query: string; variables: string }[] {
  const dir = new URL('schema/operations/', pathToFileURL(`${PROJECT_ROOT}/`));
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
