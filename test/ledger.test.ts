import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CashoutStatus } from '../src/d24/wire.js';
import { CASHOUT_STATUSES } from '../src/d24/wire.js';
import {
  type DatabaseTarget,
  type Ledger,
  type LedgerEvent,
  LedgerUnavailableError,
  type NewLedgerEvent,
  openLedger,
} from '../src/ledger/index.js';
import { startTcpProxy } from './support/net.js';
import { createTestSchema, postgresAvailable, type TestSchema } from './support/postgres.js';

// The same suite on SQLite (a WAL file) and on a real PostgreSQL (a schema of its own per test).
const postgres = await postgresAvailable();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ledger-test-'));
const schemas: TestSchema[] = [];
const open: Ledger[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((ledger) => ledger.close({ graceMs: 0 })));
});
afterAll(async () => {
  await Promise.all(schemas.splice(0).map((schema) => schema.drop()));
  rmSync(tmp, { recursive: true, force: true });
});

const silent = pino({ level: 'silent' });
let files = 0;

const BACKENDS = [
  {
    name: 'SQLite',
    skip: false,
    target: async (): Promise<DatabaseTarget> => ({
      kind: 'sqlite',
      path: path.join(tmp, `l${files++}.sqlite`),
    }),
  },
  {
    name: 'PostgreSQL',
    skip: !postgres,
    target: async (): Promise<DatabaseTarget> => {
      const schema = await createTestSchema();
      schemas.push(schema);
      return { kind: 'postgres', url: schema.url };
    },
  },
];

async function ledgerOn(target: DatabaseTarget, options: { maxWaiting?: number } = {}): Promise<Ledger> {
  const ledger = await openLedger({ target, logger: silent, ...options });
  open.push(ledger);
  return ledger;
}

const snapshot = (cashoutId: string, status: CashoutStatus) => ({
  cashoutId,
  externalId: null,
  status,
  statusCode: CASHOUT_STATUSES.indexOf(status),
  statusDescription: `D24 says ${status}`,
  rejection: null,
});

function mutation(
  cashoutId: string,
  action: 'HOLD' | 'RELEASE' | 'CANCEL',
  to: CashoutStatus | null,
  extra: Partial<NewLedgerEvent> = {},
): NewLedgerEvent {
  return {
    cashoutId,
    action,
    actor: 'alice',
    reason: `${action.toLowerCase()} ${cashoutId}`,
    resultType: to ? `${action[0]}${action.slice(1).toLowerCase()}CashoutSuccess` : 'D24UnavailableError',
    outcome: to ? null : 'UNKNOWN',
    d24Code: null,
    cashout: to ? snapshot(cashoutId, to) : null,
    requestId: `req-${cashoutId}-${action}`,
    ...(to && { changed: true }),
    ...extra,
  };
}

const lookup = { action: 'LOOKUP', actor: 'bob', requestId: null } as const;

describe.each(BACKENDS)('the ledger on $name', ({ skip, target }) => {
  it.skipIf(skip)(
    'records each mutation with who, why and what D24 answered; history is newest first',
    async () => {
      const ledger = await ledgerOn(await target());
      const held = await ledger.record(mutation('1001', 'HOLD', 'ON_HOLD'));
      const released = await ledger.record(mutation('1001', 'RELEASE', 'PENDING'));
      expect(held).toMatchObject({
        action: 'HOLD',
        actor: 'alice',
        reason: 'hold 1001',
        changed: true,
        previousStatusCode: null,
      });
      expect(released).toMatchObject({ action: 'RELEASE', changed: true, previousStatusCode: 5 });
      expect(BigInt((released as LedgerEvent).id)).toBeGreaterThan(BigInt((held as LedgerEvent).id));
      const history = await ledger.history('1001', { first: 10 });
      expect(history.items.map((e) => e.action)).toEqual(['RELEASE', 'HOLD']);
      expect(history.items[1]).toEqual(held);
      expect(history).toMatchObject({ hasNextPage: false, endCursor: held?.id });
      expect(held?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    },
  );

  it.skipIf(skip)('keeps the current hold (who, why, since) while ON_HOLD; a release clears it', async () => {
    const ledger = await ledgerOn(await target());
    const held = await ledger.record(mutation('2001', 'HOLD', 'ON_HOLD'));
    expect(await ledger.cashout('2001')).toMatchObject({
      status: 'ON_HOLD',
      statusCode: 5,
      hold: { by: 'alice', reason: 'hold 2001', since: held?.at },
      updatedAt: held?.at,
      lastEventId: held?.id,
    });
    // A replay changes nothing: the hold keeps who made it and since when.
    await ledger.record(
      mutation('2001', 'HOLD', 'ON_HOLD', { actor: 'carol', reason: 'again', changed: false }),
    );
    expect((await ledger.cashout('2001'))?.hold).toEqual({
      by: 'alice',
      reason: 'hold 2001',
      since: held?.at,
    });
    await ledger.record(mutation('2001', 'RELEASE', 'PENDING'));
    expect(await ledger.cashout('2001')).toMatchObject({ status: 'PENDING', hold: null });
    // Seen ON_HOLD by a look-up: held outside this service.
    await ledger.observe(snapshot('2002', 'ON_HOLD'), lookup);
    expect((await ledger.cashout('2002'))?.hold).toMatchObject({ by: null, reason: null });
    expect(await ledger.cashout('2999')).toBeNull();
  });

  it.skipIf(skip)('writes an observation only when it shows a status the ledger did not have', async () => {
    const ledger = await ledgerOn(await target());
    const first = await ledger.observe(snapshot('3001', 'PENDING'), lookup);
    expect(first).toMatchObject({
      action: 'LOOKUP',
      actor: 'bob',
      resultType: 'Cashout',
      changed: true,
      previousStatusCode: null,
    });
    expect(await ledger.observe(snapshot('3001', 'PENDING'), lookup)).toBeNull();
    const moved = await ledger.observe(snapshot('3001', 'DELIVERED'), {
      action: 'RECONCILE',
      actor: null,
      requestId: null,
    });
    expect(moved).toMatchObject({ action: 'RECONCILE', actor: null, changed: true, previousStatusCode: 0 });
    const rejected = {
      ...snapshot('3001', 'REJECTED'),
      rejection: { code: 800, reason: 'ERROR_ACCOUNT_INCORRECT' },
    };
    expect(await ledger.observe(rejected, lookup)).toMatchObject({ cashout: rejected });
    expect((await ledger.history('3001', { first: 10 })).items).toHaveLength(3);
    expect(await ledger.cashout('3001')).toMatchObject({ status: 'REJECTED', rejection: rejected.rejection });
  });

  it.skipIf(skip)('records a mutation D24 did not confirm, leaving the known status alone', async () => {
    const ledger = await ledgerOn(await target());
    const known = await ledger.record(mutation('4001', 'HOLD', 'ON_HOLD'));
    const unknown = await ledger.record(mutation('4001', 'CANCEL', null));
    expect(unknown).toMatchObject({
      resultType: 'D24UnavailableError',
      outcome: 'UNKNOWN',
      cashout: null,
      changed: false,
      previousStatusCode: 5,
    });
    expect(await ledger.cashout('4001')).toMatchObject({
      status: 'ON_HOLD',
      updatedAt: known?.at,
      lastEventId: unknown?.id,
    });
    const notFound = await ledger.record({
      ...mutation('4002', 'HOLD', null),
      resultType: 'CashoutNotFoundError',
      outcome: null,
      d24Code: 509,
    });
    expect(notFound).toMatchObject({ d24Code: 509, cashout: null });
    expect(await ledger.cashout('4002')).toBeNull();
    expect((await ledger.history('4002', { first: 5 })).items).toEqual([notFound]);
  });

  it.skipIf(skip)('pages history by event and the listing by last change, filtered by status', async () => {
    const ledger = await ledgerOn(await target());
    for (let i = 0; i < 6; i++)
      await ledger.record(mutation('5001', i % 2 ? 'RELEASE' : 'HOLD', i % 2 ? 'PENDING' : 'ON_HOLD'));
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await ledger.history('5001', { first: 2, after });
      seen.push(...page.items.map((e) => e.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen).toHaveLength(6);
    expect([...seen].sort((a, b) => Number(BigInt(b) - BigInt(a)))).toEqual(seen);

    const ids = Array.from({ length: 7 }, (_, i) => String(6001 + i));
    for (const id of ids) await ledger.record(mutation(id, 'HOLD', 'ON_HOLD'));
    await ledger.record(mutation('6003', 'RELEASE', 'PENDING'));
    const listed: string[] = [];
    after = null;
    for (;;) {
      const page = await ledger.list({ statuses: ['ON_HOLD'], first: 3, after });
      listed.push(...page.items.map((c) => c.cashoutId));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    // 5001 was last released: PENDING. Most recently changed first.
    expect(listed).toEqual(['6007', '6006', '6005', '6004', '6002', '6001']);
    const all = await ledger.list({ first: 100 });
    expect(all.items[0]?.cashoutId).toBe('6003');
    expect(all.items).toHaveLength(8);
    expect((await ledger.list({ statuses: ['PENDING'], first: 100 })).items.map((c) => c.cashoutId)).toEqual([
      '6003',
      '5001',
    ]);
  });

  it.skipIf(skip)(
    'group-commits concurrent records; listeners see every commit once, in id order',
    async () => {
      const ledger = await ledgerOn(await target());
      const batches: LedgerEvent[][] = [];
      ledger.onCommitted((events) => batches.push([...events]));
      const events = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          ledger.record(mutation(String(7000 + (i % 20)), 'HOLD', i % 2 ? 'ON_HOLD' : 'PENDING')),
        ),
      );
      const published = batches.flat().map((e) => BigInt(e.id));
      expect(published).toHaveLength(200);
      expect(published.every((id, i) => i === 0 || id > (published[i - 1] as bigint))).toBe(true);
      expect(new Set(events.map((e) => e?.id)).size).toBe(200);
      // All 200 were recorded before the first commit could finish: they cannot have needed 200 transactions.
      expect(batches.length).toBeLessThan(200);
      const replay = await ledger.eventsAfter(null, { limit: 500 });
      expect(replay.map((e) => BigInt(e.id))).toEqual(published);
      const some = await ledger.eventsAfter(replay[9]?.id ?? null, { cashoutIds: ['7003'], limit: 500 });
      expect(some.every((e) => e.cashoutId === '7003' && BigInt(e.id) > BigInt(replay[9]?.id ?? 0))).toBe(
        true,
      );
      expect(some.length).toBeGreaterThan(0);
      expect(await ledger.hasEvent(replay[0]?.id ?? '')).toBe(true);
      expect(await ledger.hasEvent('999999')).toBe(false);
      expect(await ledger.hasEvent('not-an-id')).toBe(false);
    },
  );

  it.skipIf(skip)(
    'lists what the reconciler should re-check, never or least recently checked first',
    async () => {
      const ledger = await ledgerOn(await target());
      for (const [id, status] of [
        ['8001', 'PENDING'],
        ['8002', 'ON_HOLD'],
        ['8003', 'DELIVERED'],
        ['8004', 'COMPLETED'],
        ['8005', 'CANCELLED'],
        ['8006', 'REJECTED'],
      ] as const) {
        await ledger.observe(snapshot(id, status), lookup);
      }
      const due = async (now?: Date) =>
        (await ledger.cashoutsToReconcile({ limit: 10, ...(now && { now }) })).map((c) => c.cashoutId);
      expect(await due()).toEqual(['8001', '8002', '8003', '8004']);
      // 31 days on, the COMPLETED one is final enough.
      expect(await due(new Date(Date.now() + 31 * 24 * 3600 * 1000))).toEqual(['8001', '8002', '8003']);
      await ledger.markChecked(['8001', '8003'], new Date(Date.now() - 1000));
      await ledger.markChecked(['8002']);
      expect(await due()).toEqual(['8004', '8001', '8003', '8002']);
      expect((await ledger.cashout('8002'))?.checkedAt).not.toBeNull();
      // A later event keeps the check time (it is the reconciler's).
      await ledger.record(mutation('8002', 'RELEASE', 'PENDING'));
      expect((await ledger.cashout('8002'))?.checkedAt).not.toBeNull();
    },
  );

  it.skipIf(skip)('reopens on the same database without migrating twice, everything kept', async () => {
    const where = await target();
    const first = await ledgerOn(where);
    const event = await first.record(mutation('9001', 'HOLD', 'ON_HOLD'));
    await first.close();
    const again = await ledgerOn(where);
    expect(again.status).toBe('up');
    expect((await again.history('9001', { first: 5 })).items).toEqual([event]);
    const next = await again.record(mutation('9001', 'RELEASE', 'PENDING'));
    expect(BigInt(next?.id ?? 0)).toBeGreaterThan(BigInt(event?.id ?? 0));
  });

  it.skipIf(skip)('refuses a cursor it never gave out', async () => {
    const ledger = await ledgerOn(await target());
    await expect(ledger.history('1', { first: 5, after: 'abc' })).rejects.toThrow(/cursor/);
    await expect(ledger.list({ first: 5, after: 'abc' })).rejects.toThrow(/cursor/);
  });
});

describe.skipIf(!postgres)('the ledger on PostgreSQL shared by replicas', () => {
  it('two writers: a reader resuming `after` the last id it saw never misses an event', async () => {
    const where = await BACKENDS[1]?.target();
    const [a, b] = [await ledgerOn(where as DatabaseTarget), await ledgerOn(where as DatabaseTarget)];
    const total = 600;
    const writes = (ledger: Ledger, offset: number) =>
      (async () => {
        for (let chunk = 0; chunk < 10; chunk++) {
          await Promise.all(
            Array.from({ length: total / 20 }, (_, i) =>
              ledger.record(mutation(String(offset + ((chunk * 30 + i) % 50)), 'HOLD', 'ON_HOLD')),
            ),
          );
        }
      })();
    const seen: string[] = [];
    let last: string | null = null;
    const writing = Promise.all([writes(a as Ledger, 10_000), writes(b as Ledger, 20_000)]);
    let done = false;
    void writing.then(() => {
      done = true;
    });
    // Polls while both write: every poll starts after the last id seen, as a resuming subscriber does.
    while (!done || seen.length < total) {
      const events: LedgerEvent[] = await (a as Ledger).eventsAfter(last, { limit: 25 });
      for (const event of events) seen.push(event.id);
      last = seen.at(-1) ?? null;
      if (done && events.length === 0) break;
    }
    await writing;
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('while the database is unreachable: records answer at once, reads are LEDGER_UNAVAILABLE, and all is written when it is back', async () => {
    const schema = await createTestSchema();
    schemas.push(schema);
    const url = new URL(schema.url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    try {
      const ledger = await ledgerOn({ kind: 'postgres', url: url.toString() });
      await ledger.record(mutation('11001', 'HOLD', 'ON_HOLD'));
      proxy.cut();
      const failed = await ledger.record(mutation('11001', 'RELEASE', 'PENDING'));
      expect(failed).toBeNull();
      expect(ledger.status).toBe('down');
      expect(
        await ledger.record(mutation('11001', 'HOLD', 'ON_HOLD', { requestId: 'while-down' })),
      ).toBeNull();
      expect(ledger.waiting).toBe(2);
      await expect(ledger.history('11001', { first: 5 })).rejects.toBeInstanceOf(LedgerUnavailableError);
      const written = new Promise<readonly LedgerEvent[]>((resolve) => ledger.onCommitted(resolve));
      proxy.restore();
      const events = await written;
      expect(events.map((e) => e.action)).toEqual(['RELEASE', 'HOLD']);
      expect(ledger.status).toBe('up');
      expect(ledger.waiting).toBe(0);
      expect((await ledger.history('11001', { first: 5 })).items.map((e) => e.requestId)).toEqual([
        'while-down',
        'req-11001-RELEASE',
        'req-11001-HOLD',
      ]);
    } finally {
      await proxy.close();
    }
  });

  it('drops, loudly, what does not fit in the buffer', async () => {
    const schema = await createTestSchema();
    schemas.push(schema);
    const url = new URL(schema.url);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.host = `127.0.0.1:${proxy.port}`;
    const lines: { msg: string; level: number }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    try {
      const ledger = await openLedger({
        target: { kind: 'postgres', url: url.toString() },
        logger,
        maxWaiting: 2,
      });
      open.push(ledger);
      proxy.cut();
      for (let i = 0; i < 3; i++) await ledger.record(mutation(String(12_000 + i), 'HOLD', 'ON_HOLD'));
      expect(ledger.waiting).toBe(2);
      expect(lines.filter((l) => l.level === 50 && /DROPPED/.test(l.msg))).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});
