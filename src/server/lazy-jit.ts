import type { Plugin } from 'graphql-yoga';

/** After start-up, so the first requests do not wait for it. */
const LOAD_AFTER_MS = 500;

/**
 * `@envelop/graphql-jit` (operations executed as compiled functions: the benchmark's largest CPU saving), loaded
 * half a second after start-up: its module graph (fast-json-stringify, ajv) would add ~60 ms to the cold start.
 * Until it is loaded, and if it ever fails to load, operations run on the default executor, with the same results.
 */
export function useGraphQlJitWhenLoaded(): Plugin {
  let jit: Plugin | undefined;
  setTimeout(() => {
    import('@envelop/graphql-jit').then(
      ({ useGraphQlJit }) => {
        jit = useGraphQlJit() as Plugin;
      },
      () => {},
    );
  }, LOAD_AFTER_MS).unref();
  return {
    onExecute(payload) {
      return jit?.onExecute?.(payload);
    },
    onSubscribe(payload) {
      return jit?.onSubscribe?.(payload);
    },
  };
}
