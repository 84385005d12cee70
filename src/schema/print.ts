import { writeFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './index.js';

/** The committed SDL: sorted, so every change shows as a readable diff. Also used by the drift test. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = new URL('../../schema/schema.graphql', import.meta.url);
  writeFileSync(target, printedSchema());
  console.log(`wrote ${target.pathname}`);
}
