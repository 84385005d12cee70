import { type ExecutionArgs, getOperationAST, getVariableValues } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** After start-up, so the first requests do not wait for it. */
const LOAD_AFTER_MS = 500;

export type CompileQuery = typeof import('graphql-jit').compileQuery;

export interface LazyJit {
  /** Yoga's executor: compiled operations once graphql-jit has loaded, the default executor until then. */
  plugin: Plugin;
  /** graphql-jit's `compileQuery` once it has loaded (for the hot path), undefined until then. */
  compileQuery(): CompileQuery | undefined;
  /** Settles once graphql-jit has loaded, or failed to (then the default executor stays): what tests wait on. */
  ready: Promise<void>;
}

/**
 * graphql-jit (operations executed as compiled functions: the benchmark's largest CPU saving), loaded half a second
 * after start-up: its module graph (fast-json-stringify, ajv) would add ~60 ms to the cold start. Until it is
 * loaded, and if it ever fails to load, operations run on the default executor, with the same results.
 */
export function useGraphQlJitWhenLoaded(): LazyJit {
  let jit: Plugin | undefined;
  let compile: CompileQuery | undefined;
  const ready = new Promise<void>((resolve) => {
    setTimeout(() => {
      Promise.all([import('@envelop/graphql-jit'), import('graphql-jit')])
        .then(
          ([{ useGraphQlJit }, { compileQuery }]) => {
            jit = useGraphQlJit({}, { enableIf: compilable }) as Plugin;
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
