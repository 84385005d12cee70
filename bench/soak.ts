/**
 * Bounded soak: `npm run soak -- --duration 60 --concurrency 32 --fault-rate 0.03`.
 * The service runs as a child process (`src/main.ts`, so its RSS is its own) against a D24 sandbox in this process
 * (loopback only), which injects faults into a few percent of the calls. Mixed operations at a fixed concurrency on
 * fresh cashouts; prints throughput, results by type, p50/p99 and the service's RSS; exits 1 if any answer is not
 * a typed result or the RSS keeps growing.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import type { CashoutStatus } from '../src/d24/wire.js';
import { type Fault, startSandbox } from '../src/sandbox/index.js';
import { freePort } from '../test/support/http.js';
import { type Field, OPERATIONS, TRANSITIONS, typedResult } from '../test/support/operations.js';
import { sandboxEnv, spawnMain } from '../test/support/replica.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: process.env.SOAK_DURATION ?? '60' },
    concurrency: { type: 'string', default: process.env.SOAK_CONCURRENCY ?? '32' },
    'fault-rate': { type: 'string', default: process.env.SOAK_FAULT_RATE ?? '0.03' },
    'timeout-ms': { type: 'string', default: process.env.SOAK_D24_TIMEOUT_MS ?? '1000' },
  },
});
const DURATION_S = Number(values.duration);
const CONCURRENCY = Number(values.concurrency);
const FAULT_RATE = Number(values['fault-rate']);
const TIMEOUT_MS = Number(values['timeout-ms']);
if (![DURATION_S, CONCURRENCY, FAULT_RATE, TIMEOUT_MS].every(Number.isFinite) || DURATION_S < 3) {
  console.error(
    'usage: npm run soak -- [--duration s>=3] [--concurrency n] [--fault-rate 0..1] [--timeout-ms ms]',
  );
  process.exit(2);
}

const FAULTS: (() => Fault)[] = [
  () => ({ kind: 'delay', ms: TIMEOUT_MS + 500 }),
  () => ({ kind: 'hang' }),
  () => ({ kind: 'reset' }),
  () => ({ kind: 'http5xx', status: 503 }),
  () => ({ kind: 'malformed' }),
  () => ({ kind: 'slowBody', ms: TIMEOUT_MS * 2 }),
  () => ({
    kind: 'code',
    code: [300, 302, 509, 510, 521, 702, 999][Math.floor(Math.random() * 7)] as number,
  }),
];
const STATUSES: CashoutStatus[] = ['PENDING', 'ON_HOLD', 'DELIVERED', 'COMPLETED', 'REJECTED', 'CANCELLED'];
// A mix like an operations desk's: mostly look-ups, then holds, releases and cancels.
const MIX: Field[] = [
  'cashout',
  'cashout',
  'cashout',
  'cashout',
  'holdCashout',
  'holdCashout',
  'releaseCashout',
  'releaseCashout',
  'cancelCashout',
  'cancelCashout',
];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const quantile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function main(): Promise<number> {
  const sandbox = await startSandbox({ seed: false, requestLogSize: 0 });
  const port = await freePort();
  const child = spawnMain(
    {
      ...process.env,
      ...sandboxEnv(sandbox),
      PORT: String(port),
      HOST: '127.0.0.1',
      D24_TIMEOUT_MS: String(TIMEOUT_MS),
      AUTH_DISABLED: 'true',
      RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'error',
      NODE_ENV: 'production',
    },
    // stdout carries the audit trail (one line per mutation, whatever LOG_LEVEL); errors go to stderr.
    ['ignore', 'ignore', 'inherit'],
  );
  const url = `http://127.0.0.1:${port}`;
  const client = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 10_000 });
  try {
    for (let i = 0; ; i++) {
      const up = await request(`${url}/health`, { dispatcher: client }).then(
        async (r) => {
          await r.body.text();
          return r.statusCode === 200;
        },
        () => false,
      );
      if (up) break;
      if (i > 300 || child.exitCode !== null) throw new Error('the service did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const byType = new Map<string, number>();
    const bad: string[] = [];
    const latencies: number[] = [];
    const rss: { t: number; mb: number }[] = [];
    let faults = 0;
    const started = performance.now();
    const deadline = started + DURATION_S * 1000;
    const sampler = setInterval(
      () => rss.push({ t: (performance.now() - started) / 1000, mb: rssMb(child) }),
      1000,
    );
    rss.push({ t: 0, mb: rssMb(child) });

    const worker = async () => {
      while (performance.now() < deadline) {
        const field = pick(MIX);
        const initial =
          Math.random() < 0.8
            ? field === 'cashout'
              ? pick(STATUSES)
              : TRANSITIONS[field].from
            : pick(STATUSES);
        const { cashoutId, externalId } = sandbox.create({ status: initial });
        if (Math.random() < FAULT_RATE) {
          sandbox.faults.forCashout(cashoutId, pick(FAULTS)(), 1);
          faults++;
        }
        const id = String(cashoutId);
        const variables =
          field === 'cashout'
            ? Math.random() < 0.5
              ? { cashoutId: id }
              : { externalId }
            : { input: field === 'cancelCashout' ? { cashoutId: id, externalId } : { cashoutId: id } };
        const t0 = performance.now();
        try {
          const response = await request(`${url}/graphql`, {
            method: 'POST',
            dispatcher: client,
            headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
            body: JSON.stringify({ query: OPERATIONS[field], variables }),
          });
          const text = await response.body.text();
          latencies.push(performance.now() - t0);
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {}
          const answer = typedResult(field, response.statusCode, body);
          if ('problem' in answer) {
            bad.push(`${field}: ${answer.problem}`);
            continue;
          }
          const { result } = answer;
          const key = `${result.__typename}${typeof result.outcome === 'string' ? ` ${result.outcome}` : ''}`;
          byType.set(key, (byType.get(key) ?? 0) + 1);
        } catch (error) {
          bad.push(`${field}: request failed: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    clearInterval(sampler);
    rss.push({ t: (performance.now() - started) / 1000, mb: rssMb(child) });
    const elapsed = (performance.now() - started) / 1000;

    const sorted = Float64Array.from(latencies).sort();
    const third = Math.max(1, Math.floor(rss.length / 3));
    const middle = median(rss.slice(third, 2 * third).map((s) => s.mb));
    const last = median(rss.slice(2 * third).map((s) => s.mb));
    // "Keeps growing": the last third's median RSS above the middle third's by more than 10% (and 16 MB).
    const growing = last - middle > Math.max(16, middle * 0.1);
    const total = latencies.length;
    const mid = rss[Math.floor(rss.length / 2)];

    console.log(
      `soak: ${elapsed.toFixed(1)} s, concurrency ${CONCURRENCY}, D24_TIMEOUT_MS ${TIMEOUT_MS}, faults armed ${faults} (${((faults / Math.max(1, total)) * 100).toFixed(1)}%)`,
    );
    console.log(`requests: ${total}, ${(total / elapsed).toFixed(0)} req/s; not typed: ${bad.length}`);
    console.log(
      `latency: p50 ${quantile(sorted, 0.5).toFixed(1)} ms, p99 ${quantile(sorted, 0.99).toFixed(1)} ms, max ${quantile(sorted, 1).toFixed(1)} ms`,
    );
    console.log('results by type:');
    for (const [type, n] of [...byType].sort((a, b) => b[1] - a[1])) console.log(`  ${type.padEnd(34)} ${n}`);
    console.log(
      `service RSS: start ${rss[0]?.mb.toFixed(1)} MB, mid ${mid?.mb.toFixed(1)} MB, end ${rss.at(-1)?.mb.toFixed(1)} MB; median middle third ${middle.toFixed(1)} MB, last third ${last.toFixed(1)} MB${growing ? ' — KEEPS GROWING' : ''}`,
    );
    for (const problem of bad.slice(0, 5)) console.log(`  not typed: ${problem}`);
    return bad.length === 0 && !growing ? 0 : 1;
  } finally {
    await client.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
    await sandbox.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
