import { createServerAdapter } from '@whatwg-node/server';
import { YogaServer, type YogaServerInstance, type YogaServerOptions } from 'graphql-yoga';
import type { Context } from '../../context.js';

export type Yoga = YogaServerInstance<Record<string, never>, Context>;

/**
 * Yoga's `createYoga`, with one fact given instead of found out. To choose its abort signals the adapter asks
 * whether Yoga's `Request` is Node's own; it never is (Yoga's fetch API is @whatwg-node/fetch's, which
 * test/start.test.ts checks), but asking reads `globalThis.Request`, and that loads Node's built-in undici: ~22 ms
 * of every cold start, for a fetch nothing here uses (docs/performance.md#cold-start).
 */
export function createYogaServer(options: YogaServerOptions<Record<string, never>, Context>): Yoga {
  const server = new YogaServer(options);
  return createServerAdapter(server, {
    fetchAPI: server.fetchAPI,
    // As createYoga does: the plugins Yoga assembled (ours and its own), which the adapter runs too. Private in
    // Yoga's types, hence the indexed access.
    // biome-ignore lint/complexity/useLiteralKeys: `plugins` is private to YogaServer's type
    plugins: server['plugins'],
    disposeOnProcessTerminate: options.disposeOnProcessTerminate,
    __useCustomAbortCtrl: true,
  });
}
