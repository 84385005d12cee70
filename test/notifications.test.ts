import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../src/ledger/index.js';
import { notificationBody } from '../src/notifications/control.js';
import { type Engine, postgresEngine, sqliteEngine } from './support/engines.js';
import { startTestService, type TestService } from './support/service.js';

// The real service over HTTP, on a real database, with the real embedded sandbox posting to its real webhook.
const postgres = await postgresEngine();
const NOTIFY = { sandboxNotifies: true };
const engines: { name: string; make: () => Promise<Engine | null> }[] = [
  { name: 'SQLite', make: sqliteEngine },
  { name: 'PostgreSQL', make: async () => postgres },
];

describe.each(engines)('D24 notifications on $name', ({ name, make }) => {
  let engine: Engine;
  let service: TestService;

  beforeAll(async () => {
    const made = await make();
    if (!made) return;
    engine = made;
    service = await startTestService(
      {
        DATABASE_URL: engine.databaseUrl,
        RECONCILE_INTERVAL_MS: '0',
        D24_TIMEOUT_MS: '5000',
      },
      NOTIFY,
    );
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await engine?.cleanup();
  });

  const skip = () => name === 'PostgreSQL' && !postgres;
  const sandbox = () => service.sandbox;
  const webhook = () => `${service.url}/d24/notifications`;

  /** Everything the sandbox sent is answered, and everything recorded is processed. */
  async function settle(): Promise<void> {
    await sandbox().notifications.settled();
    await service.notifications.processor.idle();
  }

  function statusCalls(cashoutId: number): number {
    return sandbox().requests.filter(
      (r) =>
        r.method === 'POST' &&
        r.path === '/v3/cashout/status' &&
        JSON.parse(r.rawBody).cashout_id === cashoutId,
    ).length;
  }

  async function events(cashoutId: number): Promise<LedgerEvent[]> {
    return (await service.ledger.history(String(cashoutId), { first: 100 })).items.reverse();
  }

  async function inbox(cashoutId: number) {
    return engine
      .reader()
      .selectFrom('notification_inbox')
      .selectAll()
      .where('cashout_id', '=', String(cashoutId))
      .execute();
  }

  function post(body: string, headers: Record<string, string> = {}) {
    return fetch(webhook(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
  }

  /** The form the sandbox last posted for this cashout. */
  function lastBody(cashoutId: number): string {
    const attempt = sandbox().notifications.attempts.findLast((a) => a.cashoutId === cashoutId);
    if (!attempt) throw new Error(`no notification of ${cashoutId}`);
    return attempt.body;
  }

  async function expectLedgerAgrees(cashoutIds: readonly number[]): Promise<void> {
    for (const id of cashoutIds) {
      const known = await service.ledger.cashout(String(id));
      const truth = sandbox().get(id);
      expect({ id, status: known?.status, rejection: known?.rejection ?? null }).toEqual({
        id,
        status: truth?.status,
        rejection: truth?.rejection ?? null,
      });
    }
  }

  it('records a notification, asks D24 and writes one NOTIFICATION event', async ({ skip: skipTest }) => {
    if (skip()) return skipTest();
    const { cashoutId, externalId } = sandbox().create();
    sandbox().advance(cashoutId, 'DELIVERED');
    await settle();
    expect(
      sandbox()
        .notifications.attempts.filter((a) => a.cashoutId === cashoutId)
        .map((a) => a.status),
    ).toEqual([200]);
    expect(statusCalls(cashoutId)).toBe(1);
    const [event, ...more] = await events(cashoutId);
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      action: 'NOTIFICATION',
      actor: null,
      changed: true,
      previousStatusCode: null,
      resultType: 'Cashout',
      cashout: { cashoutId: String(cashoutId), externalId, status: 'DELIVERED' },
    });
    const rows = await inbox(cashoutId);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.processed_at).not.toBeNull();
    expect(Object.values(rows[0] ?? {}).join(' ')).not.toMatch(/[0-9A-F]{64}/); // the control string is not kept
    sandbox().advance(cashoutId, 'REJECTED', { code: 810, reason: 'LIMIT_EXCEEDED' });
    await settle();
    expect((await events(cashoutId)).map((e) => [e.action, e.cashout?.status, e.changed])).toEqual([
      ['NOTIFICATION', 'DELIVERED', true],
      ['NOTIFICATION', 'REJECTED', true],
    ]);
    await expectLedgerAgrees([cashoutId]);
  });

  it('processes a notification duplicated x5 once', async ({ skip: skipTest }) => {
    if (skip()) return skipTest();
    const { cashoutId } = sandbox().create();
    sandbox().notifications.faults.forCashout(cashoutId, { kind: 'duplicate', copies: 5 }, 1);
    sandbox().advance(cashoutId, 'DELIVERED');
    await settle();
    const answers = sandbox().notifications.attempts.filter((a) => a.cashoutId === cashoutId);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await inbox(cashoutId)).toHaveLength(1);
    expect(statusCalls(cashoutId)).toBe(1);
    expect(await events(cashoutId)).toHaveLength(1);
    await expectLedgerAgrees([cashoutId]);
  });

  it('never moves the ledger back for notifications that come late or out of order', async ({
    skip: skipTest,
  }) => {
    if (skip()) return skipTest();
    const reordered = sandbox().create().cashoutId;
    const late = sandbox().create().cashoutId;
    const { faults } = sandbox().notifications;
    faults.forCashout(reordered, { kind: 'hold' }, 1);
    faults.forCashout(late, { kind: 'delay', ms: 3_600_000 }, 1);
    sandbox().advance(reordered, 'DELIVERED'); // held
    sandbox().advance(late, 'DELIVERED'); // delayed
    sandbox().advance(reordered, 'COMPLETED');
    sandbox().advance(late, 'COMPLETED');
    sandbox().advance(late, 'REJECTED', { code: 826, reason: 'WITHDRAWAL_REVERSED' });
    await service.notifications.processor.idle();
    await sandbox().notifications.release();
    sandbox().notifications.flushRetries(); // the delayed one arrives now, after the later ones
    await settle();
    expect((await events(reordered)).map((e) => e.cashout?.status)).toEqual(['COMPLETED']);
    const lateStatuses = (await events(late)).map((e) => e.cashout?.status);
    expect(lateStatuses.at(-1)).toBe('REJECTED');
    expect(lateStatuses).not.toContain('DELIVERED');
    await expectLedgerAgrees([reordered, late]);
  });

  it('refuses a forged notification with 401 and records nothing', async ({ skip: skipTest }) => {
    if (skip()) return skipTest();
    const { cashoutId } = sandbox().create();
    sandbox().notifications.faults.forCashout(cashoutId, { kind: 'forge' });
    sandbox().advance(cashoutId, 'DELIVERED');
    for (let attempt = 1; attempt <= 6; attempt++) {
      await sandbox().notifications.nextAttempt((a) => a.cashoutId === cashoutId && a.attempt === attempt);
      sandbox().notifications.flushRetries();
    }
    await settle();
    sandbox().notifications.faults.clear();
    const attempts = sandbox().notifications.attempts.filter((a) => a.cashoutId === cashoutId);
    expect(attempts.map((a) => [a.forged, a.status])).toEqual(Array(6).fill([true, 401]));
    expect(await inbox(cashoutId)).toEqual([]);
    expect(statusCalls(cashoutId)).toBe(0);
    expect(await service.ledger.cashout(String(cashoutId))).toBeNull();
  });

  it('makes a replayed notification cost at most one Status call and no false event', async ({
    skip: skipTest,
  }) => {
    if (skip()) return skipTest();
    const { cashoutId, externalId } = sandbox().create();
    const other = sandbox().create();
    sandbox().advance(cashoutId, 'DELIVERED');
    await settle();
    const captured = lastBody(cashoutId);
    sandbox().advance(cashoutId, 'COMPLETED');
    await settle();
    const before = { calls: statusCalls(cashoutId), events: await events(cashoutId) };
    // The same bytes again: a duplicate, answered 200, not processed again.
    expect((await post(captured)).status).toBe(200);
    await settle();
    expect(statusCalls(cashoutId)).toBe(before.calls);
    // The control covers only external_id: a replay with a fresh date passes it, costs one Status call, and D24's
    // answer (COMPLETED) is what the ledger already says.
    const replay = new URLSearchParams(captured);
    replay.set('date', '2030-01-01 00:00:00');
    expect((await post(replay.toString())).status).toBe(200);
    await settle();
    expect(statusCalls(cashoutId)).toBe(before.calls + 1);
    expect(await events(cashoutId)).toEqual(before.events);
    // The captured control with another cashout's id: D24 finds no cashout with both ids, so nothing is learnt.
    replay.set('cashout_id', String(other.cashoutId));
    expect((await post(replay.toString())).status).toBe(200);
    await settle();
    expect(statusCalls(other.cashoutId)).toBe(1);
    expect(await service.ledger.cashout(String(other.cashoutId))).toBeNull();
    expect(new URLSearchParams(captured).get('external_id')).toBe(externalId);
    await expectLedgerAgrees([cashoutId]);
  });

  it('answers 400 for malformed notifications, 415/413/405 for what is not one, and records none', async ({
    skip: skipTest,
  }) => {
    if (skip()) return skipTest();
    const { cashoutId, externalId } = sandbox().create();
    const key = sandbox().credentials.secretKey;
    const valid = new URLSearchParams(
      notificationBody({ cashout_id: cashoutId, external_id: externalId }, key),
    );
    const without = (field: string) => {
      const form = new URLSearchParams(valid);
      form.delete(field);
      return form.toString();
    };
    const withField = (field: string, value: string) => {
      const form = new URLSearchParams(valid);
      form.set(field, value);
      return form.toString();
    };
    const malformed = [
      '',
      'not a form at all',
      without('cashout_id'),
      without('external_id'),
      without('control'),
      withField('cashout_id', 'abc'),
      withField('cashout_id', '0'),
      withField('cashout_id', '9007199254740992'),
      withField('cashout_id', ' 1'),
      withField('comments', 'x'.repeat(1_001)),
      `${valid.toString()}&external_id=${encodeURIComponent(externalId)}`, // a field twice
      `${valid.toString()}&cashout_id=1001`,
    ];
    for (const body of malformed)
      expect({ body, status: (await post(body)).status }).toEqual({ body, status: 400 });
    const notUtf8 = Buffer.concat([Buffer.from(`${valid.toString()}&comments=`), Buffer.from([0xc3, 0x28])]);
    const raw = await fetch(webhook(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: notUtf8,
    });
    expect(raw.status).toBe(400);
    expect((await post(valid.toString(), { 'content-type': 'application/json' })).status).toBe(415);
    expect((await post(valid.toString(), { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post(`${valid.toString()}&pad=${'x'.repeat(9_000)}`)).status).toBe(413);
    expect((await fetch(webhook())).status).toBe(405);
    expect((await fetch(webhook(), { method: 'PUT', body: valid.toString() })).headers.get('allow')).toBe(
      'POST',
    );
    await settle();
    expect(await inbox(cashoutId)).toEqual([]);
    expect(statusCalls(cashoutId)).toBe(0);
    // And the valid one, for contrast, is recorded.
    expect((await post(valid.toString())).status).toBe(200);
    await settle();
    expect(await inbox(cashoutId)).toHaveLength(1);
  });

  it('answers 503 while the database is down, and D24 retries until it is recorded', async ({
    skip: skipTest,
  }) => {
    if (skip()) return skipTest();
    const { cashoutId } = sandbox().create();
    await engine.beginOutage();
    try {
      sandbox().advance(cashoutId, 'DELIVERED');
      const refused = await sandbox().notifications.nextAttempt((a) => a.cashoutId === cashoutId);
      expect(refused.status).toBe(503);
    } finally {
      await engine.endOutage();
    }
    sandbox().notifications.flushRetries();
    await settle();
    // A retry that lands while the ledger is still catching up may be answered 503 again: D24 retries once more.
    for (
      let i = 0;
      i < 5 && sandbox().notifications.attempts.findLast((a) => a.cashoutId === cashoutId)?.status !== 200;
      i++
    ) {
      sandbox().notifications.flushRetries();
      await settle();
    }
    const statuses = sandbox()
      .notifications.attempts.filter((a) => a.cashoutId === cashoutId)
      .map((a) => a.status);
    expect(statuses[0]).toBe(503);
    expect(statuses.at(-1)).toBe(200);
    expect(await inbox(cashoutId)).toHaveLength(1);
    await service.notifications.processor.sweep();
    await settle();
    expect((await events(cashoutId)).map((e) => e.cashout?.status)).toEqual(['DELIVERED']);
    await expectLedgerAgrees([cashoutId]);
  });

  it('processes at start-up what a previous run recorded but could not process', async ({
    skip: skipTest,
  }) => {
    if (skip()) return skipTest();
    const env = { DATABASE_URL: engine.databaseUrl, RECONCILE_INTERVAL_MS: '0', D24_TIMEOUT_MS: '5000' };
    // A seeded cashout: the next run's sandbox (a D24 of its own) has it too.
    const body = notificationBody(
      { cashout_id: 1006, external_id: 'seed-delivered-1006' },
      sandbox().credentials.secretKey,
    );
    const first = await startTestService(env, NOTIFY);
    first.sandbox.faults.forCashout(1006, { kind: 'http5xx', status: 502 });
    const answer = await fetch(`${first.url}/d24/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(answer.status).toBe(200); // recorded: D24 will not send it again
    await first.notifications.processor.idle();
    await first.close(); // as if it crashed before D24 answered the look-up
    expect(await inbox(1006)).toMatchObject([{ processed_at: null }]);
    expect(await service.ledger.cashout('1006')).toBeNull();

    const next = await startTestService(env, NOTIFY);
    try {
      await next.notifications.processor.idle();
      expect((await inbox(1006))[0]?.processed_at).not.toBeNull();
      const history = await next.ledger.history('1006', { first: 10 });
      expect(history.items.map((e) => [e.action, e.cashout?.status])).toEqual([
        ['NOTIFICATION', 'DELIVERED'],
      ]);
    } finally {
      await next.close();
    }
  });

  it('agrees with the sandbox for every cashout it was notified of', async ({ skip: skipTest }) => {
    if (skip()) return skipTest();
    for (let i = 0; i < 30; i++) sandbox().tick();
    await settle();
    const notified = [...new Set(sandbox().notifications.attempts.map((a) => a.cashoutId))];
    expect(notified.length).toBeGreaterThan(10);
    await expectLedgerAgrees(notified);
  });
});
