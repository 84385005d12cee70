import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../src/sandbox/index.js';
import { exampleDocument } from '../src/server/http/examples.js';
import { createTestSchema, postgresAvailable, type TestSchema } from './support/postgres.js';
import { startMain as startMainOn } from './support/replica.js';
import { bearer, hs256Token, TEST_SECRET } from './support/tokens.js';

// kill -9 during a load of mutations, restart on the same database: every answered mutation is in the history,
// with its actor, reason and result, in the order the answers came.
const postgres = await postgresAvailable();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ledger-crash-'));
let sandbox: Sandbox;
let schema: TestSchema | undefined;
let auth: Record<string, string>;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: false });
  auth = bearer(
    await hs256Token({
      claims: { sub: 'crash-tester', scope: 'cashouts:read cashouts:hold cashouts:release' },
    }),
  );
});
afterAll(async () => {
  await sandbox.close();
  await schema?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

/** `npm start`'s entry point as a real child process, as the shutdown test runs it. */
const startMain = (databaseUrl: string) =>
  startMainOn(sandbox, {
    AUTH_JWT_SECRET: TEST_SECRET,
    RATE_LIMIT_PER_MINUTE: '0',
    DATABASE_URL: databaseUrl,
  });

interface Answered {
  requestId: string;
  action: 'HOLD' | 'RELEASE';
  resultType: string;
  reason: string;
}

const MUTATIONS = { HOLD: exampleDocument('holdCashout'), RELEASE: exampleDocument('releaseCashout') };
const WORKERS = 16;
const KILL_AFTER = 150;

/** Each worker holds and releases its own cashout in turn, one request at a time, until the service dies. */
async function loadUntilKilled(service: {
  child: ChildProcess;
  url: string;
}): Promise<Map<number, Answered[]>> {
  const answered = new Map<number, Answered[]>();
  let total = 0;
  const worker = async (cashoutId: number) => {
    const mine: Answered[] = [];
    answered.set(cashoutId, mine);
    for (let n = 0; ; n++) {
      const action = n % 2 === 0 ? 'HOLD' : 'RELEASE';
      const requestId = `crash-${cashoutId}-${n}`;
      const reason = `step ${n} of ${cashoutId}`;
      let body: { data?: Record<string, { __typename: string }> };
      try {
        const response = await fetch(`${service.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...auth },
          body: JSON.stringify({
            query: MUTATIONS[action],
            variables: { input: { cashoutId: `${cashoutId}`, reason } },
          }),
        });
        body = await response.json();
      } catch {
        return; // The service died under this request: it was never answered.
      }
      const result = Object.values(body.data ?? {})[0];
      if (!result) throw new Error(`no result: ${JSON.stringify(body)}`);
      mine.push({ requestId, action, resultType: result.__typename, reason });
      if (++total === KILL_AFTER) service.child.kill('SIGKILL');
    }
  };
  await Promise.all(
    Array.from({ length: WORKERS }, () => worker(sandbox.create({ status: 'PENDING' }).cashoutId)),
  );
  return answered;
}

interface Event {
  id: string;
  action: string;
  actor: string;
  reason: string;
  resultType: string;
  requestId: string;
}

async function historyOf(url: string, cashoutId: number): Promise<Event[]> {
  const events: Event[] = [];
  let after: string | null = null;
  for (;;) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({
        query: exampleDocument('cashoutHistory'),
        variables: { cashoutId: `${cashoutId}`, first: 100, after },
      }),
    });
    const { data } = (await response.json()) as {
      data: {
        cashout: {
          history: { edges: { node: Event }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
        };
      };
    };
    events.push(...data.cashout.history.edges.map((edge) => edge.node));
    if (!data.cashout.history.pageInfo.hasNextPage) return events;
    after = data.cashout.history.pageInfo.endCursor;
  }
}

async function crashAndCheck(databaseUrl: string): Promise<void> {
  const first = await startMain(databaseUrl);
  const exited = new Promise((resolve) => first.child.once('exit', resolve));
  const answered = await loadUntilKilled(first);
  await exited;
  const second = await startMain(databaseUrl);
  try {
    let checked = 0;
    for (const [cashoutId, answers] of answered) {
      // Oldest first, as the answers came; the look-up the history query makes is not a mutation.
      const events = (await historyOf(second.url, cashoutId)).filter((e) => e.action !== 'LOOKUP').reverse();
      const byRequest = new Map(events.map((event, index) => [event.requestId, { event, index }]));
      let previous = -1;
      for (const answer of answers) {
        const found = byRequest.get(answer.requestId);
        expect(found?.event, `${answer.requestId} is missing`).toMatchObject({
          action: answer.action,
          actor: 'crash-tester',
          reason: answer.reason,
          resultType: answer.resultType,
        });
        expect(found?.index, `${answer.requestId} is out of order`).toBeGreaterThan(previous);
        previous = found?.index ?? previous;
        checked++;
      }
      const ids = events.map((event) => BigInt(event.id));
      expect(ids.every((id, i) => i === 0 || id > (ids[i - 1] as bigint))).toBe(true);
    }
    expect(checked).toBeGreaterThanOrEqual(KILL_AFTER);
  } finally {
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
  }
}

describe('kill -9 under load, then restart', () => {
  it('on an SQLite file: every answered mutation is in the history, in order', async () => {
    await crashAndCheck(`file:${path.join(tmp, 'ledger.sqlite')}`);
  }, 90_000);

  it.skipIf(!postgres)(
    'on PostgreSQL: every answered mutation is in the history, in order',
    async () => {
      schema = await createTestSchema('crash');
      await crashAndCheck(schema.url);
    },
    90_000,
  );
});
