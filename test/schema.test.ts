import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../codegen.js';
import { schema } from '../src/schema/index.js';
import { printedSchema } from '../src/schema/print.js';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

describe('committed schema artefacts', () => {
  it('schema/schema.graphql is the printed schema (run `npm run schema` to regenerate)', () => {
    expect(read('schema/schema.graphql'), 'schema/schema.graphql is stale: run `npm run schema`').toBe(
      printedSchema(),
    );
  });

  it('schema/generated is what codegen.ts makes now (run `npm run codegen` to regenerate)', async () => {
    const outputs = (await generate({ ...codegenConfig, silent: true }, false)) as {
      filename: string;
      content: string;
    }[];
    expect(outputs.length).toBeGreaterThanOrEqual(5);
    for (const { filename, content } of outputs) {
      expect(read(filename), `${filename} is stale: run \`npm run codegen\``).toBe(content);
    }
  });

  it('every example operation is valid and selects every member of its union', () => {
    const unions = { cashout: 'CashoutLookupResult', cancelCashout: 'CancelCashoutResult' } as Record<
      string,
      string
    >;
    for (const name of ['cashout', 'cancelCashout', 'holdCashout', 'releaseCashout']) {
      const document = parse(read(`schema/operations/${name}.graphql`));
      expect(validate(schema, document), name).toEqual([]);
      const union = schema.getType(unions[name] ?? `${name[0]?.toUpperCase()}${name.slice(1)}Result`);
      const members = union && 'getTypes' in union ? union.getTypes().map((t) => t.name) : [];
      expect(members.length).toBeGreaterThanOrEqual(5);
      const text = read(`schema/operations/${name}.graphql`);
      for (const member of members) expect(text, `${name} selects ${member}`).toContain(`... on ${member} {`);
    }
  });
});
