// What the hot path mirrors of Yoga and Pothos internals (test/mirrored-versions.test.ts pins the versions).
import { type DocumentNode, type GraphQLSchema, Kind, type OperationDefinitionNode } from 'graphql';

const mediaTypes = new Map<string, string | null>();

/**
 * The media type Yoga would answer in: `text/event-stream`, `multipart/mixed`, `application/graphql-response+json`,
 * `application/json`, or null when none is acceptable. Mirrors Yoga's result processors (graphql-yoga 5.24
 * `use-result-processor`): the SSE, multipart and JSON processors in that order, each taking the request's media
 * types last to first, the last match winning.
 */
export function answerMediaType(accept: string | null | undefined): string | null {
  const header = accept || '*/*';
  let chosen = mediaTypes.get(header);
  if (chosen !== undefined) return chosen;
  const asked = header
    .replace(/\s/g, '')
    .toLowerCase()
    .split(',')
    .filter(
      (type) => (type.split(';').find((p) => p.includes('charset=')) ?? 'charset=utf-8') === 'charset=utf-8',
    )
    .map((type) => type.split(';')[0] as string)
    .reverse();
  chosen = null;
  for (const offered of [
    ['text/event-stream'],
    ['multipart/mixed'],
    ['application/graphql-response+json', 'application/json'],
  ]) {
    for (const type of asked)
      for (const candidate of offered) if (matches(candidate, type)) chosen = candidate;
  }
  if (mediaTypes.size < 64) mediaTypes.set(header, chosen);
  return chosen;
}

/** Whether Yoga would answer in a stream (SSE or multipart): what a subscription needs. */
export const isStreamingMediaType = (type: string | null) =>
  type === 'text/event-stream' || type === 'multipart/mixed';

/** The media type for a result that is not a stream, or null when Yoga would not answer plain JSON. */
export function responseMediaType(accept: string | undefined): string | null {
  const chosen = answerMediaType(accept);
  return isStreamingMediaType(chosen) ? null : chosen;
}

function matches(offered: string, asked: string): boolean {
  const [pre, suf] = asked.split('/');
  const [offeredPre, offeredSuf] = offered.split('/');
  return (pre === '*' || pre === offeredPre) && (suf === '*' || suf === offeredSuf);
}

/** Per root field, the scopes any one of which Pothos' scope-auth wants (`authScopes: { scope: true }`). */
export function rootFieldScopes(schema: GraphQLSchema, operation: OperationDefinitionNode): string[][] {
  const root = schema.getRootType(operation.operation);
  const fields = root?.getFields() ?? {};
  const scopes: string[][] = [];
  for (const selection of operation.selectionSet.selections) {
    // Fragments at the root would need expanding; no example operation has one, so they take Yoga's path.
    if (selection.kind !== Kind.FIELD) return [['(fragment at the root)']];
    if (selection.name.value === '__typename') continue;
    const options = fields[selection.name.value]?.extensions?.pothosOptions as
      | { authScopes?: Record<string, boolean> }
      | undefined;
    const required = Object.entries(options?.authScopes ?? {})
      .filter(([, on]) => on)
      .map(([scope]) => scope);
    if (required.length) scopes.push(required);
  }
  return scopes;
}

/**
 * The `operationType` label @envelop/prometheus 14.2 gives the execute phase and its errors: the document's first
 * definition's, so none (printed "undefined") when a fragment comes first, as in the persisted documents, whatever
 * the operation. Yoga's HTTP series reads the operation itself.
 */
export function phaseOperationType(document: DocumentNode): string | undefined {
  return (document.definitions[0] as Partial<OperationDefinitionNode>).operation;
}
