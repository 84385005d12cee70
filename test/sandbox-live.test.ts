import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { D24Client } from '../src/d24/client.js';
import { InvalidControlError, NOTIFICATION_FIELDS, verifyControl } from '../src/notifications/control.js';
import { type Sandbox, SEEDED_CASHOUTS, startSandbox } from '../src/sandbox/index.js';

interface Received {
  contentType: string | undefined;
  fields: URLSearchParams;
}

/** A merchant's webhook on port 0: records what arrives and answers with the next status from `answers`. */
class Receiver {
  readonly received: Received[] = [];
  answers: number[] = [];
  readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({
          contentType: req.headers['content-type'],
          fields: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
        });
        res.writeHead(this.answers.shift() ?? 200).end();
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/d24/notifications`;
  }

  ids(): string[] {
    return this.received.map((r) => r.fields.get('cashout_id') ?? '');
  }
}

const KEY = 'sandbox_secret_key';

/** Race-free: checked and waited for in the same turn of the event loop. */
async function attemptsReach(count: number): Promise<void> {
  while (sandbox.notifications.attempts.length < count) await sandbox.notifications.nextAttempt();
}
// Retries are run by flushRetries() in these tests, never by waiting for a timer.
const NEVER = 3_600_000;
let receiver: Receiver;
let sandbox: Sandbox;

beforeEach(async () => {
  receiver = new Receiver();
  await receiver.listen();
  sandbox = await startSandbox({ notifyUrl: receiver.url, notificationRetryDelaysMs: Array(5).fill(NEVER) });
});

afterEach(async () => {
  await sandbox.close();
  await new Promise((resolve) => receiver.server.close(resolve));
});

describe('the sandbox, live: notifications', () => {
  it('posts every one of its own moves in D24 format, with a valid control string', async () => {
    const cashout = sandbox.create();
    sandbox.advance(cashout.cashoutId, 'DELIVERED');
    sandbox.advance(cashout.cashoutId, 'REJECTED', { code: 811, reason: 'RISK_POLICY' });
    await sandbox.notifications.settled();
    expect(receiver.received).toHaveLength(2);
    for (const { contentType, fields } of receiver.received) {
      expect(contentType).toBe('application/x-www-form-urlencoded');
      expect([...fields.keys()].sort()).toEqual([...NOTIFICATION_FIELDS].sort());
      expect(fields.get('cashout_id')).toBe(String(cashout.cashoutId));
      expect(fields.get('external_id')).toBe(cashout.externalId);
      expect(fields.get('bank_reference_id')).toBe(`BR-${cashout.cashoutId}`);
      expect(fields.get('date')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      const control = fields.get('control') ?? '';
      expect(control).toMatch(/^[0-9A-F]{64}$/);
      expect(() => verifyControl({ externalId: cashout.externalId, control }, KEY)).not.toThrow();
      // A notification carries no status: the merchant must ask.
      expect(fields.has('status')).toBe(false);
    }
    expect(receiver.received[1]?.fields.get('status_reason')).toBe('RISK_POLICY');
  });

  it('notifies nothing for merchant actions, creations, or with no URL', async () => {
    const client = new D24Client({ baseUrl: sandbox.url, credentials: sandbox.credentials });
    await client.holdCashout({ cashoutId: 1001 });
    await client.cancelCashout({ cashoutId: 1002, externalId: 'seed-pending-1002' });
    await client.close();
    sandbox.create();
    sandbox.notifications.url = null;
    sandbox.advance(1006, 'COMPLETED');
    await sandbox.notifications.settled();
    expect(receiver.received).toEqual([]);
    expect(sandbox.notifications.attempts).toEqual([]);
  });

  it('retries until a 2xx, up to 5 more times, as D24 does', async () => {
    receiver.answers = [503, 500, 404];
    const { cashoutId } = sandbox.create();
    sandbox.advance(cashoutId, 'DELIVERED');
    for (let i = 0; i < 3; i++) {
      await sandbox.notifications.nextAttempt();
      sandbox.notifications.flushRetries();
    }
    await sandbox.notifications.settled();
    expect(sandbox.notifications.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 503],
      [2, 500],
      [3, 404],
      [4, 200],
    ]);

    receiver.answers = Array(10).fill(503);
    sandbox.advance(cashoutId, 'COMPLETED');
    for (let i = 0; i < 6; i++) {
      await sandbox.notifications.nextAttempt((a) => a.attempt === i + 1);
      sandbox.notifications.flushRetries();
    }
    await sandbox.notifications.settled();
    expect(sandbox.notifications.attempts.slice(4).map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(receiver.received).toHaveLength(10);
  });

  it('retries when the webhook cannot be reached', async () => {
    await new Promise((resolve) => receiver.server.close(resolve));
    const { cashoutId } = sandbox.create();
    sandbox.advance(cashoutId, 'DELIVERED');
    const refused = await sandbox.notifications.nextAttempt();
    expect(refused.status).toBeNull();
    await new Promise<void>((resolve) =>
      receiver.server.listen(Number(new URL(receiver.url).port), '127.0.0.1', resolve),
    );
    sandbox.notifications.flushRetries();
    await sandbox.notifications.settled();
    expect(sandbox.notifications.attempts.map((a) => a.status)).toEqual([null, 200]);
  });

  it('drops, duplicates, forges, delays, and holds to deliver late or out of order', async () => {
    const ids = [0, 1, 2, 3, 4, 5].map(() => sandbox.create().cashoutId) as number[];
    const [dropped, duplicated, forged, held1, held2, delayed] = ids as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const { faults } = sandbox.notifications;
    faults.forCashout(dropped, { kind: 'drop' });
    faults.forCashout(duplicated, { kind: 'duplicate', copies: 5 }, 1);
    faults.forCashout(forged, { kind: 'forge' }, 1);
    faults.forCashout(held1, { kind: 'hold' }, 1);
    faults.forCashout(held2, { kind: 'hold' }, 1);
    faults.forCashout(delayed, { kind: 'delay', ms: NEVER }, 1);
    for (const id of ids) sandbox.advance(id, 'DELIVERED');
    await attemptsReach(6); // five copies and the forgery; the delayed one waits for its timer
    expect(receiver.ids()).not.toContain(String(delayed));
    receiver.answers = []; // the forgery's answer (200 here) ends it: the receiver does not check controls
    sandbox.notifications.flushRetries(); // the delayed one goes now
    await sandbox.notifications.settled();
    expect(receiver.ids()).toContain(String(delayed));
    expect(receiver.ids().filter((id) => id === String(dropped))).toEqual([]);
    expect(receiver.ids().filter((id) => id === String(duplicated))).toHaveLength(5);
    expect(receiver.ids()).not.toContain(String(held1));
    await sandbox.notifications.release('reverse');
    const order = receiver.ids().filter((id) => id === String(held1) || id === String(held2));
    expect(order).toEqual([String(held2), String(held1)]);
    const forgery = receiver.received.find((r) => r.fields.get('cashout_id') === String(forged));
    expect(() =>
      verifyControl(
        { externalId: forgery?.fields.get('external_id') ?? '', control: forgery?.fields.get('control') },
        KEY,
      ),
    ).toThrow(InvalidControlError);
    // Faults armed for one use are spent: the next move of a duplicated cashout is sent once.
    sandbox.advance(duplicated, 'COMPLETED');
    await sandbox.notifications.settled();
    expect(receiver.ids().filter((id) => id === String(duplicated))).toHaveLength(6);
  });

  it('drops a seeded-random share of notifications', async () => {
    sandbox.notifications.faults.random({ kind: 'drop' }, 0.3);
    const ids = Array.from({ length: 200 }, () => sandbox.create().cashoutId);
    for (const id of ids) sandbox.advance(id, 'DELIVERED');
    await sandbox.notifications.settled();
    const share = 1 - receiver.received.length / ids.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });
});

describe('the sandbox, live: its own life', () => {
  it('creates a cashout each tick and moves them PENDING -> DELIVERED -> COMPLETED or REJECTED', async () => {
    const seen = new Map<number, string[]>();
    for (let i = 0; i < 40; i++) {
      for (const cashout of sandbox.tick()) {
        seen.set(cashout.cashoutId, [...(seen.get(cashout.cashoutId) ?? []), cashout.status]);
      }
    }
    await sandbox.notifications.settled();
    expect(seen.size).toBe(40);
    const LEGAL = /^PENDING(,DELIVERED(,(COMPLETED(,REJECTED)?|REJECTED))?)?$/;
    for (const statuses of seen.values()) expect(statuses.join()).toMatch(LEGAL);
    const finals = [...seen.values()].map((s) => s.at(-1));
    expect(finals).toContain('COMPLETED');
    expect(finals).toContain('REJECTED');
    // Every move after creation was notified, with its cashout's final state reachable by the Status endpoint.
    const moves = [...seen.values()].reduce((n, statuses) => n + statuses.length - 1, 0);
    expect(receiver.received).toHaveLength(moves);
    for (const cashout of SEEDED_CASHOUTS) expect(sandbox.get(cashout.cashoutId)).toEqual(cashout);
  });

  it('replays the same life from the same seed', async () => {
    const other = await startSandbox({ randomSeed: 24 });
    const statuses = (s: Sandbox) =>
      Array.from({ length: 15 }, () => s.tick().map((c) => `${c.cashoutId}:${c.status}`)).flat();
    try {
      expect(statuses(sandbox)).toEqual(statuses(other));
    } finally {
      await other.close();
    }
  });

  it('leaves seeded cashouts alone until someone touches them, and waits while a cashout is on hold', async () => {
    const client = new D24Client({ baseUrl: sandbox.url, credentials: sandbox.credentials });
    await client.releaseCashout({ cashoutId: 1004 }); // ON_HOLD -> PENDING: touched
    const created = sandbox.create();
    await client.holdCashout({ cashoutId: created.cashoutId });
    await client.close();
    for (let i = 0; i < 12; i++) sandbox.tick({ create: false });
    await sandbox.notifications.settled();
    expect(sandbox.get(1004)?.status).toMatch(/^(COMPLETED|REJECTED)$/);
    expect(sandbox.get(created.cashoutId)?.status).toBe('ON_HOLD');
    for (const cashout of SEEDED_CASHOUTS) {
      if (cashout.cashoutId !== 1004) expect(sandbox.get(cashout.cashoutId)).toEqual(cashout);
    }
    expect(new Set(receiver.ids())).toEqual(new Set(['1004']));
  });
});
