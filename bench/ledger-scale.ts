import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { type DatabaseTarget, openDatabase } from '../src/ledger/connect.js';
import { type Ledger, type NewLedgerEvent, openLedger } from '../src/ledger/index.js';

// `npm run bench:ledger [-- --events 1000000]`: fills the ledger with N events (PostgreSQL and an SQLite file) and
// measures, through the Ledger API, the p50/p99 of a history page, of cashouts(status: ON_HOLD) and of an event write.
// Not a test: figures on stdout, for docs/ledger.md. PostgreSQL: BENCH_DATABASE_URL (default the local server).
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    only: { type: 'string' },
  },
});
const EVENTS = Number(args.events);
const CASHOUTS = Math.max(1, Math.floor(EVENTS / 10));
const FIRST_ID = 1_000_000;
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** N events over CASHOUTS cashouts (10 each, alternating HOLD/RELEASE), and their states: one in ten ON_HOLD. */
async function fill(target: DatabaseTarget): Promise<void> {
  const database = openDatabase(target);
  const { db, dialect } = database;
  const started = performance.now();
  // Literals, not parameters: PostgreSQL cannot type a bare parameter in arithmetic.
  const [E, C, F, CE] = [EVENTS, CASHOUTS, FIRST_ID, CASHOUTS - 1].map((n) => sql.lit(n));
  if (dialect === 'postgres') {
    await sql`
      insert into cashout_events (id, cashout_id, at, action, actor, reason, result_type, changed,
        previous_status_code, status_code, status_description, request_id)
      select g, (${F} + g % ${C})::text, now() - (${E} - g) * interval '1 second',
        case when g % 2 = 0 then 'HOLD' else 'RELEASE' end, 'bench', 'a reason of some length, as operators write',
        case when g % 2 = 0 then 'HoldCashoutSuccess' else 'ReleaseCashoutSuccess' end, 1,
        case when g % 2 = 0 then 0 else 5 end, case when g % 2 = 0 then 5 else 0 end, 'D24 text', md5(g::text)
      from generate_series(1, ${E}) g`.execute(db);
    await sql`
      insert into cashouts (cashout_id, status, status_code, status_description, hold_by, hold_reason, hold_since,
        updated_at, last_event_id)
      select (${F} + c)::text, case when c % 10 = 0 then 'ON_HOLD' else 'PENDING' end,
        case when c % 10 = 0 then 5 else 0 end, 'D24 text', 'bench', 'why', now(),
        now() - (${C} - c) * interval '10 seconds', ${E} - ${C} + c
      from generate_series(0, ${CE}) c`.execute(db);
    await sql`analyze`.execute(db);
  } else {
    await sql`
      with recursive seq(g) as (select 1 union all select g + 1 from seq where g < ${E})
      insert into cashout_events (id, cashout_id, at, action, actor, reason, result_type, changed,
        previous_status_code, status_code, status_description, request_id)
      select g, cast(${F} + g % ${C} as text),
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (${E} - g) || ' seconds'),
        case when g % 2 = 0 then 'HOLD' else 'RELEASE' end, 'bench', 'a reason of some length, as operators write',
        case when g % 2 = 0 then 'HoldCashoutSuccess' else 'ReleaseCashoutSuccess' end, 1,
        case when g % 2 = 0 then 0 else 5 end, case when g % 2 = 0 then 5 else 0 end, 'D24 text', hex(randomblob(8))
      from seq`.execute(db);
    await sql`
      with recursive seq(c) as (select 0 union all select c + 1 from seq where c < ${CE})
      insert into cashouts (cashout_id, status, status_code, status_description, hold_by, hold_reason, hold_since,
        updated_at, last_event_id)
      select cast(${F} + c as text), case when c % 10 = 0 then 'ON_HOLD' else 'PENDING' end,
        case when c % 10 = 0 then 5 else 0 end, 'D24 text', 'bench', 'why',
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || ((${C} - c) * 10) || ' seconds'), ${E} - ${C} + c
      from seq`.execute(db);
    await sql`analyze`.execute(db);
  }
  await db.destroy();
  console.log(
    `  filled ${EVENTS.toLocaleString('en')} events, ${CASHOUTS.toLocaleString('en')} cashouts in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return `p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms (n=${samples.length})`;
}

async function timed(times: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

const event = (i: number): NewLedgerEvent => ({
  cashoutId: String(FIRST_ID + ((i * 7919) % CASHOUTS)),
  action: 'HOLD',
  actor: 'bench',
  reason: 'bench write',
  resultType: 'HoldCashoutSuccess',
  outcome: null,
  d24Code: null,
  cashout: {
    cashoutId: String(FIRST_ID + ((i * 7919) % CASHOUTS)),
    externalId: null,
    status: 'ON_HOLD',
    statusCode: 5,
    statusDescription: 'D24 text',
    rejection: null,
  },
  requestId: `bench-${i}`,
  changed: true,
});

async function measure(name: string, ledger: Ledger): Promise<void> {
  const random = () => String(FIRST_ID + Math.floor(Math.random() * CASHOUTS));
  await timed(50, () => ledger.history(random(), { first: 20 })); // warm-up
  console.log(
    `  history page (first 20):              ${percentiles(await timed(2000, () => ledger.history(random(), { first: 20 })))}`,
  );
  const page = await ledger.list({ statuses: ['ON_HOLD'], first: 50 });
  console.log(
    `  cashouts(status: ON_HOLD, first 50):  ${percentiles(await timed(500, () => ledger.list({ statuses: ['ON_HOLD'], first: 50 })))}`,
  );
  const deep = await ledger.list({ statuses: ['ON_HOLD'], first: 50, after: page.endCursor });
  console.log(
    `  … its next page (after):              ${percentiles(await timed(500, () => ledger.list({ statuses: ['ON_HOLD'], first: 50, after: deep.endCursor })))}`,
  );
  console.log(
    `  event write, one at a time:           ${percentiles(await timed(1000, (i) => ledger.record(event(i))))}`,
  );
  // 64 in flight, as under load: each write's latency includes waiting for its group commit.
  const samples: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < 5000) {
        const i = next++;
        const started = performance.now();
        await ledger.record(event(10_000 + i));
        samples.push(performance.now() - started);
      }
    }),
  );
  console.log(`  event write, 64 in flight:            ${percentiles(samples)}`);
  void name;
}

async function run(name: string, target: DatabaseTarget, cleanup: () => Promise<void>): Promise<void> {
  console.log(`${name}:`);
  try {
    // Migrate first (empty tables), then fill, then measure through the ledger.
    const empty = await openLedger({ target, logger: pino({ level: 'silent' }) });
    await empty.close();
    await fill(target);
    const ledger = await openLedger({ target, logger: pino({ level: 'warn' }) });
    await measure(name, ledger);
    await ledger.close();
  } finally {
    await cleanup();
  }
}

if (args.only !== 'postgres') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ledger-scale-'));
  await run(
    'SQLite (file, WAL, synchronous=FULL)',
    { kind: 'sqlite', path: path.join(dir, 'ledger.sqlite') },
    async () => rmSync(dir, { recursive: true, force: true }),
  );
}
if (args.only !== 'sqlite') {
  const name = `ledger_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema "${name}"`);
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${name}`);
  await run('PostgreSQL', { kind: 'postgres', url: url.toString() }, async () => {
    await admin.query(`drop schema "${name}" cascade`);
    await admin.end();
  });
}
