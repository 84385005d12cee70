import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../version.js';

/**
 * The example operations (schema/operations/<name>.graphql) and the root field each one calls, in the order GraphiQL
 * shows them: holding comes first.
 */
export const EXAMPLES = {
  holdCashout: 'holdCashout',
  releaseCashout: 'releaseCashout',
  cancelCashout: 'cancelCashout',
  cashout: 'cashout',
  cashoutHistory: 'cashout',
  cashouts: 'cashouts',
  holdCashouts: 'holdCashouts',
  releaseCashouts: 'releaseCashouts',
  cancelCashouts: 'cancelCashouts',
  cashoutEvents: 'cashoutEvents',
} as const;
export type ExampleName = keyof typeof EXAMPLES;

export interface ExampleOperation {
  name: ExampleName;
  /** The root field it calls. */
  field: (typeof EXAMPLES)[ExampleName];
  /** The operation with the shared fragments it spreads: a document ready to send. */
  document: string;
  /** Its `# GraphiQL variables:` line, as JSON text: seeded cashouts. */
  variables: string;
}

// From the project root, so src/ (tsx) and the bundle dist/main.js find the same files.
const dir = new URL('schema/operations/', pathToFileURL(`${PROJECT_ROOT}/`));
const read = (file: string) => readFileSync(new URL(file, dir), 'utf8');

let loaded: ExampleOperation[] | undefined;

/** schema/operations/*.graphql, read once: for GraphiQL's tabs, the tests and the benchmark. */
export function exampleOperations(): ExampleOperation[] {
  loaded ??= load();
  return loaded;
}

function load(): ExampleOperation[] {
  const fragments = fragmentsByName(read('fragments.graphql'));
  return (Object.keys(EXAMPLES) as ExampleName[]).map((name) => {
    const text = read(`${name}.graphql`);
    const variables = /^# GraphiQL variables: (.*)$/m.exec(text)?.[1] ?? '{}';
    const operation = text.replace(/^# GraphiQL variables: .*\n/m, '');
    return {
      name,
      field: EXAMPLES[name],
      document: `${[operation.trimEnd(), ...usedFragments(operation, fragments)].join('\n\n')}\n`,
      variables,
    };
  });
}

// A document must not carry a fragment it does not spread, so each operation gets only the ones it reaches.
function fragmentsByName(text: string): Map<string, string> {
  const blocks = text.split(/^(?=fragment )/m).filter((block) => block.startsWith('fragment '));
  return new Map(blocks.map((block) => [/^fragment (\w+)/.exec(block)?.[1] as string, block.trimEnd()]));
}

function usedFragments(operation: string, fragments: Map<string, string>): string[] {
  const used = new Set<string>();
  const visit = (text: string) => {
    for (const [, name] of text.matchAll(/\.\.\.(\w+)/g)) {
      const block = name && fragments.get(name);
      if (block && !used.has(name)) {
        used.add(name);
        visit(block);
      }
    }
  };
  visit(operation);
  return [...fragments].filter(([name]) => used.has(name)).map(([, block]) => block);
}

/** The ready-to-send document of one example operation. */
export function exampleDocument(name: ExampleName): string {
  return (exampleOperations().find((example) => example.name === name) as ExampleOperation).document;
}
