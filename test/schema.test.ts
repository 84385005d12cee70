import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import {
  type GraphQLObjectType,
  type GraphQLUnionType,
  getNamedType,
  isUnionType,
  parse,
  validate,
  visit,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../codegen.js';
import { schema } from '../src/schema/index.js';
import { printedSchema } from '../src/schema/print.js';
import { exampleOperations } from '../src/server/http/examples.js';

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
    for (const { name, field, document: text } of exampleOperations()) {
      const document = parse(text);
      expect(validate(schema, document), name).toEqual([]);
      const rootField =
        schema.getQueryType()?.getFields()[field] ?? schema.getMutationType()?.getFields()[field];
      const union = getNamedType(rootField?.type);
      // `cashouts` answers a connection, not a union: nothing to switch on.
      if (!isUnionType(union)) continue;
      const members = schema.getPossibleTypes(union as GraphQLUnionType).map((type) => type.name);
      // Every type condition reached from the operation, through its fragments too.
      const conditions = new Set<string>();
      visit(document, {
        InlineFragment: (node) => void (node.typeCondition && conditions.add(node.typeCondition.name.value)),
        FragmentDefinition: (node) => void conditions.add(node.typeCondition.name.value),
      });
      // A bulk field's union is its success and ValidationError; each item's is the single mutation's.
      const itemUnion = getNamedType(
        (
          schema.getType(members.find((m) => m.endsWith('sSuccess')) ?? '') as GraphQLObjectType | undefined
        )?.getFields().results?.type,
      );
      const itemMembers = isUnionType(itemUnion)
        ? schema.getPossibleTypes(itemUnion).map((type) => type.name)
        : [];
      expect(members.length + itemMembers.length).toBeGreaterThanOrEqual(5);
      for (const member of [...members, ...itemMembers]) {
        expect(conditions, `${name} selects ${member}`).toContain(member);
      }
    }
  });
});
