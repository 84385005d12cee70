import { type IncomingHttpHeaders, request } from 'node:http';
import { createServer } from 'node:net';

// HTTP helpers shared by the tests and the tools in bench/: a free port, GraphQL over fetch, a one-shot request,
// and waiting for a condition.

/** A loopback TCP port nothing listens on (until someone takes it): for "connection refused" and child servers. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves once `condition()` holds, checking every few milliseconds, with no deadline of its own: for state that
 * has no event to await (the sandbox's request log); the test's timeout is the only limit.
 */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * For tools, not tests (a test waits with `until`, bounded by its own timeout): the first value `attempt()`
 * resolves to that is not undefined (a rejection counts as undefined), or an error naming `what` after `timeoutMs`.
 */
export async function untilValue<T>(
  attempt: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** POSTs `payload` as JSON to `${url}/graphql` and returns the HTTP status, the headers and the parsed body. */
// biome-ignore lint/suspicious/noExplicitAny: callers read the answers' shape, as `response.json()` gives it.
export async function postGraphQL<Body = any>(
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Body }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Body };
}

/**
 * One HTTP request on a fresh connection (no agent, no keep-alive), for probes, cold-start loops and requests fetch
 * cannot send: the headers go as given (`transfer-encoding: chunked` included), and the body with a Content-Length
 * unless chunked.
 */
export function requestOnce(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string | string[]> } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
