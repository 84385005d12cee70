import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  Kind,
  Lexer,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  Source,
  TokenKind,
} from 'graphql';
import type { GraphQLParams } from 'graphql-yoga';
import { isBulkField, sentItems } from '../../schema/bulk-items.js';
import { schema } from '../../schema/index.js';
import { LIMITS, loadPersistedDocuments, persistedDocumentIdOf } from '../security/armor.js';

// What a refused mutation's audit events may say, read only from what the service has checked (see audit.ts).

/** The fields of one audit event that name what was asked. */
export interface FieldRecord {
  operation: string;
  cashoutId: string | null;
  externalId?: string;
}

const MUTATION_FIELDS: ReadonlySet<string> = new Set(
  Object.keys(schema.getMutationType()?.getFields() ?? {}),
);

/** What Yoga was about to execute: parsed, validated and within every limit. */
export interface Execution {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName: string | null | undefined;
  variables: unknown;
}

/** One record per root mutation field execution would run, with the ids its coerced arguments hold. */
export function validatedFields(execution: Execution): FieldRecord[] {
  const operation = getOperationAST(execution.document, execution.operationName);
  const type = execution.schema.getMutationType();
  if (operation?.operation !== 'mutation' || !type) return [];
  const coerced = getVariableValues(
    execution.schema,
    operation.variableDefinitions ?? [],
    isRecord(execution.variables) ? execution.variables : {},
  );
  const records: FieldRecord[] = [];
  for (const node of rootFields(operation.selectionSet, execution.document)) {
    const definition = type.getFields()[node.name.value];
    if (!definition) continue;
    let args: Record<string, unknown> = {};
    // Variables that do not coerce leave the ids unknown (Yoga answers such a request 400 anyway).
    if (coerced.coerced) args = getArgumentValues(definition, node, coerced.coerced);
    records.push(...fieldRecords(node.name.value, args));
  }
  return records;
}

/** The root fields as execution collects them: fragments expanded, one per response key, no `__typename`. */
export function rootFields(
  selectionSet: SelectionSetNode,
  document: DocumentNode,
  seen = new Set<string>(),
): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      if (selection.name.value === '__typename' || seen.has(key)) continue;
      seen.add(key);
      fields.push(selection);
      continue;
    }
    const inner =
      selection.kind === Kind.INLINE_FRAGMENT
        ? selection.selectionSet
        : document.definitions.find(
            (d): d is FragmentDefinitionNode =>
              d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
          )?.selectionSet;
    // Validation has refused unknown fragments and cycles.
    if (inner) fields.push(...rootFields(inner, document, seen));
  }
  return fields;
}

/**
 * For a request refused before it was parsed (no valid token): the one mutation field it names, `mutation` when it
 * names several, none that exists, or cannot be parsed within the token limit; null when it is not a mutation.
 */
export function namedMutation(params: GraphQLParams): string | null {
  const text = documentText(params);
  if (text === null) return null;
  let document: DocumentNode;
  try {
    document = parse(text, { maxTokens: LIMITS.tokens, noLocation: true });
  } catch {
    return firstWord(text) === 'mutation' ? 'mutation' : null;
  }
  const operationName = typeof params.operationName === 'string' ? params.operationName : undefined;
  const operation: OperationDefinitionNode | null | undefined =
    getOperationAST(document, operationName) ??
    document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.operation === 'mutation',
    );
  if (operation?.operation !== 'mutation') return null;
  const named = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind === Kind.FIELD && MUTATION_FIELDS.has(selection.name.value))
      named.add(selection.name.value);
    if (named.size > 1) break;
  }
  return named.size === 1 ? ([...named][0] as string) : 'mutation';
}

let manifest: Readonly<Record<string, string>> | undefined;

/** The document a request sends: its text, or the persisted document its id names. */
function documentText(params: GraphQLParams): string | null {
  if (typeof params.query === 'string') return params.query;
  const id = persistedDocumentIdOf(params);
  if (id === null) return null;
  manifest ??= loadPersistedDocuments();
  return manifest[id] ?? null;
}

function firstWord(text: string): string | null {
  try {
    const token = new Lexer(new Source(text)).advance();
    return token.kind === TokenKind.NAME ? token.value : null;
  } catch {
    return null;
  }
}

/** A mutation field's records: one, or one per item of a bulk field (none sent: one naming no id). */
export function fieldRecords(operation: string, args: Record<string, unknown>): FieldRecord[] {
  const items = isBulkField(operation) ? sentItems(operation, args) : null;
  if (!items) return [{ operation, ...idsOf(isRecord(args.input) ? args.input : {}) }];
  return (items.length ? items : [{ cashoutId: null }]).map((item) => ({ operation, ...idsOf(item) }));
}

/** The ids an input (or a bulk item) holds; only strings are ids (an ID coerces to one), cut at 128 characters. */
function idsOf(input: { cashoutId?: unknown; externalId?: unknown }): Omit<FieldRecord, 'operation'> {
  const externalId = clip(input.externalId);
  return { cashoutId: clip(input.cashoutId) ?? null, ...(externalId !== undefined && { externalId }) };
}

function clip(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length > 128 ? `${value.slice(0, 128)}…` : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
