import { createServer } from 'node:net';

/** A loopback TCP port nothing listens on (until someone takes it): for "connection refused" and child servers. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Resolves once `condition()` holds, checking every few milliseconds, with no deadline of its own: for state that
 * has no event to await (the sandbox's request log); the test's timeout is the only limit.
 */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
