import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/sandbox/index.js';
import { until } from './support/http.js';
import { startMain as startMainOn } from './support/replica.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

/** `npm start`'s entry point as a real process, in production mode (JSON logs on stdout), without auth. */
const startMain = (env: Record<string, string>) =>
  startMainOn(sandbox, { AUTH_DISABLED: 'true', ...env }, { stderr: 'pipe' });

const HOLD = (id: number) =>
  JSON.stringify({
    query: `mutation { holdCashout(input: { cashoutId: "${id}" }) { __typename ... on HoldCashoutSuccess { changed cashout { status } } } }`,
  });

/** Sends a hold that D24 (the sandbox) answers only after `delayMs`; resolves once the request has reached D24. */
async function holdInFlight(main: { url: string }, delayMs: number): Promise<{ answer: Promise<Response> }> {
  const { cashoutId } = sandbox.create({ status: 'PENDING' });
  sandbox.faults.next({ kind: 'delay', ms: delayMs });
  const requested = sandbox.requests.length;
  const answer = fetch(`${main.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: HOLD(cashoutId),
  });
  await until(() => sandbox.requests.length > requested);
  return { answer }; // wrapped: an async function would otherwise wait for the answer itself
}

describe('graceful shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s answers the mutation in flight, refuses new connections and exits 0',
    async (signal) => {
      const main = await startMain({ SHUTDOWN_GRACE_MS: '10000' });
      let child: ChildProcess | undefined = main.child;
      try {
        const { answer } = await holdInFlight(main, 1500);
        main.child.kill(signal);
        // Logged in the same turn in which the listener is closed.
        await main.logged('Shutting down');
        await expect(fetch(`${main.url}/health`)).rejects.toThrow();

        const response = await answer;
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({
          data: {
            holdCashout: { __typename: 'HoldCashoutSuccess', changed: true, cashout: { status: 'ON_HOLD' } },
          },
        });
        expect(await main.exited).toBe(0);
        child = undefined;
        expect(main.lines).toContainEqual(
          expect.objectContaining({
            name: 'audit',
            operation: 'holdCashout',
            resultType: 'HoldCashoutSuccess',
          }),
        );
        expect(main.lines).toContainEqual(expect.objectContaining({ msg: 'Stopped', completed: true }));
      } finally {
        child?.kill('SIGKILL');
      }
    },
  );

  it('closes what is still running when the grace period runs out, and still exits 0', async () => {
    const main = await startMain({ SHUTDOWN_GRACE_MS: '300', D24_TIMEOUT_MS: '5000' });
    try {
      const answer = (await holdInFlight(main, 3000)).answer.then(
        () => 'answered',
        () => 'connection closed',
      );
      main.child.kill('SIGTERM');
      // The grace period (300 ms) ends the stop, not the D24 call still running (3 s): had the service waited
      // for that call, the mutation would have been answered.
      expect(await answer).toBe('connection closed');
      expect(await main.exited).toBe(0);
      expect(main.lines).toContainEqual(
        expect.objectContaining({ msg: 'Stopped', completed: false, abandoned: 1 }),
      );
    } finally {
      main.child.kill('SIGKILL');
    }
  });
});
