import { type DocumentNode, type ExecutionArgs, getOperationAST, getVariableValues } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** After start-up, so the first requests do not wait for it. */
const LOAD_AFTER_MS = 500;

/**
 * A document is compiled from its second execution on. Compiling costs far more than one run on the default executor,
 * and what V8 keeps of each compiled function outlives our bounded caches for several full GCs: a caller sending
 * distinct documents, each once, grew RSS to 2× its steady state (bench/distinct-documents.ts, docs/security.md).
 * Real clients repeat their few documents, so they lose only the first run.
 */
export const JIT_FROM_RUN = 2;

export type CompileQuery = typeof import('graphql-jit').compileQuery;

export interface LazyJit {
  /** Yoga's executor: compiled operations once graphql-jit has loaded, the default executor until then. */
  plugin: Plugin;
  /** graphql-jit's `compileQuery` once it has loaded (for the hot path), undefined until then. */
  compileQuery(): CompileQuery | undefined;
  /** Settles once graphql-jit has loaded, or failed to (then the default executor stays): what tests wait on. */
  ready: Promise<void>;
  /** How many operations Yoga's path has handed to graphql-jit (each compiled once per parsed document). */
  compilations(): number;
}

/**
 * graphql-jit (operations executed as compiled functions: the benchmark's largest CPU saving), loaded half a second
 * after start-up: its module graph (fast-json-stringify, ajv) would add ~60 ms to the cold start. Until it is
 * loaded, and if it ever fails to load, operations run on the default executor, with the same results.
 */
export function createLazyJit(): LazyJit {
  let jit: Plugin | undefined;
  let compile: CompileQuery | undefined;
  // Per parsed document (Yoga's parse cache hands out the same one for the same text): how often it ran, and
  // whether it went to graphql-jit (which keeps its compiled function in its own WeakMap on the document).
  const runs = new WeakMap<DocumentNode, number>();
  const compiled = new WeakSet<DocumentNode>();
  let compilations = 0;
  const compileOnRepeat = (args: ExecutionArgs): boolean => {
    const run = (runs.get(args.document) ?? 0) + 1;
    runs.set(args.document, run);
    if (run < JIT_FROM_RUN || !compilable(args)) return false;
    if (!compiled.has(args.document)) {
      compiled.add(args.document);
      compilations++;
    }
    return true;
  };
  const ready = new Promise<void>((resolve) => {
    setTimeout(() => {
      Promise.all([import('@envelop/graphql-jit'), import('graphql-jit')])
        .then(
          ([{ useGraphQlJit }, { compileQuery }]) => {
            jit = useGraphQlJit({}, { enableIf: compileOnRepeat }) as Plugin;
            compile = compileQuery;
          },
          () => {},
        )
        .finally(resolve);
    }, LOAD_AFTER_MS).unref();
  });
  return {
    plugin: {
      onExecute(payload) {
        return jit?.onExecute?.(payload);
      },
      onSubscribe(payload) {
        return jit?.onSubscribe?.(payload);
      },
    },
    compileQuery: () => compile,
    ready,
    compilations: () => compilations,
  };
}

/**
 * Queries and mutations whose variables coerce. graphql-jit answers bad variables as a 200 result and throws on a
 * subscription (this schema has none); the default executor answers both as Yoga's 400 for a bad request.
 */
function compilable({ schema, document, operationName, variableValues }: ExecutionArgs): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation === 'subscription') return false;
  return !getVariableValues(schema, operation.variableDefinitions ?? [], variableValues ?? {}).errors;
}
