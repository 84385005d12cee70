import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { type DatabaseTarget, type NewLedgerEvent, openLedger } from '../src/ledger/index.js';
import { createTestSchema, postgresAvailable } from '../test/support/postgres.js';

// `npx tsx bench/ledger-write.ts [--reps 9] [--events 2048] [--only sqlite|postgres]`: the CPU one group commit of
// N events costs this process, per event, for N = 1, 4, 16, 64 (docs/performance.md, "Ledger write path"). Each
// commit is N `record` calls made at once, so the writer puts them in one transaction (checked: every commit has
// exactly N). CPU is `process.cpuUsage` (user + system) over `--events` events per size; the median of `--reps`
// repetitions is printed, with the sizes alternated (reversed every other repetition) after one warm-up repetition.
// PostgreSQL (TEST_DATABASE_URL or the local server, in a schema of its own) when it answers: there the figure is
// the client's CPU only, the server's is not counted.
const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '9' },
    events: { type: 'string', default: '2048' },
    only: { type: 'string' },
  },
});
const REPS = Number(args.reps);
const EVENTS = Number(args.events);
const SIZES = [1, 4, 16, 64];
// Enough cashouts that a commit's events are about distinct ones, few enough that each is known after the warm-up
// (an update of its state, as for a hold or release of a cashout the ledger has seen).
const CASHOUTS = 256;

let sequence = 0;
/** A successful hold or release (alternating per cashout), as the service records one. */
function nextEvent(): NewLedgerEvent {
  const i = sequence++;
  const cashoutId = String(1_000_000 + (i % CASHOUTS));
  const hold = Math.floor(i / CASHOUTS) % 2 === 0;
  return {
    cashoutId,
    action: hold ? 'HOLD' : 'RELEASE',
    actor: 'bench-operator',
    reason: hold ? 'a reason of some length, as operators write' : null,
    resultType: hold ? 'HoldCashoutSuccess' : 'ReleaseCashoutSuccess',
    outcome: null,
    d24Code: null,
    cashout: {
      cashoutId,
      externalId: `ext-${cashoutId}`,
      status: hold ? 'ON_HOLD' : 'PENDING',
      statusCode: hold ? 5 : 0,
      statusDescription: hold ? 'On hold' : 'Pending',
      rejection: null,
    },
    requestId: `bench-${i}`,
    changed: true,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function measure(name: string, target: DatabaseTarget): Promise<void> {
  const commits: number[] = [];
  const ledger = await openLedger({
    target,
    logger: pino({ level: 'warn' }),
    observer: { written: (events) => commits.push(events) },
  });
  if (ledger.status !== 'up') throw new Error(`${name}: the ledger did not open`);
  const perEvent = new Map<number, number[]>(SIZES.map((size) => [size, []]));
  for (let rep = 0; rep <= REPS; rep++) {
    const order = rep % 2 === 0 ? SIZES : [...SIZES].reverse();
    for (const size of order) {
      const rounds = Math.ceil(EVENTS / size);
      commits.length = 0;
      const before = process.cpuUsage();
      for (let r = 0; r < rounds; r++) {
        const written = await Promise.all(Array.from({ length: size }, () => ledger.record(nextEvent())));
        if (written.includes(null)) throw new Error(`${name}: an event was not written`);
      }
      const used = process.cpuUsage(before);
      if (commits.length !== rounds || commits.some((n) => n !== size))
        throw new Error(`${name}: expected ${rounds} commits of ${size}, got ${commits.join(',')}`);
      // Repetition 0 warms up (JIT, statement caches, every cashout known).
      if (rep > 0) perEvent.get(size)?.push((used.user + used.system) / (rounds * size));
    }
  }
  await ledger.close();
  console.log(`${name}: CPU µs per event, median of ${REPS} (min–max), ${EVENTS} events per size`);
  console.log('| events per commit | µs per event | µs per commit |');
  console.log('| ---: | ---: | ---: |');
  for (const size of SIZES) {
    const xs = perEvent.get(size) ?? [];
    const m = median(xs);
    console.log(
      `| ${size} | ${m.toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}) | ${(m * size).toFixed(0)} |`,
    );
  }
}

if (args.only !== 'postgres') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ledger-write-'));
  try {
    await measure('SQLite (file, WAL, synchronous=NORMAL)', {
      kind: 'sqlite',
      path: path.join(dir, 'ledger.sqlite'),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (args.only !== 'sqlite' && (await postgresAvailable())) {
  const schema = await createTestSchema('ledger_write');
  try {
    await measure('PostgreSQL (this process only)', { kind: 'postgres', url: schema.url });
  } finally {
    await schema.drop();
  }
}
