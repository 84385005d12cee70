import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Engine, postgresEngine, sqliteEngine } from './support/engines.js';
import { startTestService, type TestService } from './support/service.js';

const postgres = await postgresEngine();
const engines: { name: string; make: () => Promise<Engine | null> }[] = [
  { name: 'SQLite', make: sqliteEngine },
  { name: 'PostgreSQL', make: async () => postgres },
];

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

describe.each(engines)('the reconciler on $name', ({ make }) => {
  let engine: Engine | null;
  let service: TestService;
  const env = () => ({
    DATABASE_URL: (engine as Engine).databaseUrl,
    RECONCILE_INTERVAL_MS: '0',
    RECONCILE_RATE_PER_SECOND: '100',
  });

  beforeAll(async () => {
    engine = await make();
    if (engine) service = await startTestService(env(), { sandboxNotifies: true });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await engine?.cleanup();
  });

  async function settle(): Promise<void> {
    await service.sandbox.notifications.settled();
    await service.notifications.processor.idle();
  }

  async function disagreements(ids: readonly number[]): Promise<number[]> {
    const wrong: number[] = [];
    for (const id of ids) {
      const known = await service.ledger.cashout(String(id));
      const truth = service.sandbox.get(id);
      if (known?.status !== truth?.status || (known?.rejection ?? null)?.code !== truth?.rejection?.code) {
        wrong.push(id);
      }
    }
    return wrong;
  }

  it('brings every cashout to the truth when 30% of notifications are lost', async ({ skip }) => {
    if (!engine) return skip();
    const sandbox = service.sandbox;
    const ids = Array.from({ length: 40 }, () => sandbox.create().cashoutId);
    for (const id of ids) sandbox.advance(id, 'DELIVERED');
    await settle(); // the ledger knows every one of them now (DELIVERED)

    sandbox.notifications.faults.random({ kind: 'drop' }, 0.3);
    ids.forEach((id, i) => {
      if (i % 4 === 0) sandbox.advance(id, 'REJECTED', { code: 809, reason: 'WITHDRAWAL_EXPIRED' });
      else sandbox.advance(id, 'COMPLETED');
      if (i % 8 === 1) sandbox.advance(id, 'REJECTED', { code: 826, reason: 'WITHDRAWAL_REVERSED' });
    });
    await settle();
    sandbox.notifications.faults.clear();
    const wrong = await disagreements(ids);
    expect(wrong.length).toBeGreaterThan(0); // notifications really were lost

    const run = await service.notifications.reconciler.runOnce();
    expect(run).toMatchObject({ leader: true, interrupted: false, changes: wrong.length });
    expect(run.checked).toBeGreaterThanOrEqual(wrong.length);
    expect(await disagreements(ids)).toEqual([]);
    for (const id of wrong) {
      const [last] = (await service.ledger.history(String(id), { first: 1 })).items;
      expect(last).toMatchObject({ action: 'RECONCILE', actor: null, changed: true });
    }

    // Nothing left to correct: a second run checks again and finds nothing.
    const again = await service.notifications.reconciler.runOnce();
    expect(again.changes).toBe(0);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metric(metrics, 'reconciler_cashouts_checked_total')).toBe(run.checked + again.checked);
    expect(metric(metrics, 'reconciler_changes_total')).toBe(wrong.length);
    expect(metric(metrics, 'reconciler_oldest_unchecked_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('lets one replica reconcile at a time on one database', async ({ skip }) => {
    if (!engine) return skip();
    const other = await startTestService(env(), { sandboxNotifies: true });
    try {
      const { cashoutId } = service.sandbox.create();
      service.sandbox.advance(cashoutId, 'DELIVERED');
      await settle();
      const runs = await Promise.all([
        service.notifications.reconciler.runOnce(),
        other.notifications.reconciler.runOnce(),
      ]);
      expect(runs.map((r) => r.leader).sort()).toEqual([false, true]);
      const follower = runs[0]?.leader ? other : service;
      const leader = follower === other ? service : other;
      // The leader keeps the lease between runs; the follower gets it once the leader stops (and releases it).
      expect((await follower.notifications.reconciler.runOnce()).leader).toBe(false);
      expect((await leader.notifications.reconciler.runOnce()).leader).toBe(true);
      await leader.notifications.reconciler.stop();
      expect((await follower.notifications.reconciler.runOnce()).leader).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('stops a run when D24 is down, and never touches /ready', async ({ skip }) => {
    if (!engine) return skip();
    await service.notifications.reconciler.stop(); // releases the lease if it holds it: the fresh replica leads
    const fresh = await startTestService(env(), { sandboxNotifies: true });
    try {
      const { cashoutId } = fresh.sandbox.create();
      fresh.sandbox.advance(cashoutId, 'DELIVERED');
      await fresh.sandbox.notifications.settled();
      await fresh.notifications.processor.idle();
      await vi.waitFor(() => expect(fresh.readiness.reasons()).toEqual([]));
      fresh.sandbox.faults.next({ kind: 'http5xx', status: 502 }, 1_000);
      const run = await fresh.notifications.reconciler.runOnce();
      expect(run).toMatchObject({ leader: true, interrupted: true, checked: 0, changes: 0 });
      expect(fresh.readiness.reasons()).toEqual([]);
      expect((await fetch(`${fresh.url}/ready`)).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});
