import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../version.js';

/** The root fields with an example operation, in the order GraphiQL shows them: holding comes first. */
export const EXAMPLE_FIELDS = ['holdCashout', 'releaseCashout', 'cancelCashout', 'cashout'] as const;
export type ExampleField = (typeof EXAMPLE_FIELDS)[number];

export interface ExampleOperation {
  field: ExampleField;
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
  const fragments = read('fragments.graphql');
  return EXAMPLE_FIELDS.map((field) => {
    const text = read(`${field}.graphql`);
    const variables = /^# GraphiQL variables: (.*)$/m.exec(text)?.[1] ?? '{}';
    return {
      field,
      document: `${text.replace(/^# GraphiQL variables: .*\n/m, '')}\n${fragments}`,
      variables,
    };
  });
}

/** The ready-to-send document of one root field's example operation. */
export function exampleDocument(field: ExampleField): string {
  return (exampleOperations().find((example) => example.field === field) as ExampleOperation).document;
}
