import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { exampleDocument } from '../src/server/examples.js';
import { bulkRow, measureBulk } from './bulk.js';
import { type LoadRun, type LoadTarget, runLoad } from './load.js';
import { cpuMs, machine, memoryMb } from './proc.js';
import { freePort, http, type SandboxHandle, startSandboxProcess, stop, until } from './processes.js';
import {
  type BenchReport,
  type Check,
  ledgerCost,
  ledgerRow,
  svg,
  type TargetFigures,
  table,
} from './report.js';
import type { SandboxHello } from './sandbox-process.js';

// `npm run bench`: the sandbox, a bare signed proxy (baseline) and the service, each in its own process, driven
// alternately at the same concurrency; figures on stdout, in docs/bench.json and docs/bench.svg.
const ROOT = path.resolve(import.meta.dirname, '..');
const BUILD = path.join(ROOT, 'dist-bench');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    'cold-starts': { type: 'string', default: '5' },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    profile: { type: 'string' },
  },
});
const smoke = args.smoke ?? false;
const settings = {
  connections: Number(args.connections),
  seconds: smoke ? 1 : Number(args.duration),
  warmupSeconds: smoke ? 0.5 : Number(args.warmup),
  rounds: smoke ? 1 : Number(args.rounds),
  coldStarts: smoke ? 1 : Number(args['cold-starts']),
};
const outDir =
  args.out ?? (smoke ? mkdtempSync(path.join(os.tmpdir(), 'd24-bench-smoke-')) : path.join(ROOT, 'docs'));
const workDir = mkdtempSync(path.join(os.tmpdir(), 'd24-bench-'));
const children: ChildProcess[] = [];

/**
 * The service as `npm start` runs it (`npm run build`: tsc, then the dist/main.cjs bundle, run by dist/start.cjs); the baseline and the
 * sandbox bundled the same way (scripts/bundle.mjs), so every process runs as plain JavaScript with no loader.
 */
function build(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  for (const name of ['baseline', 'sandbox-process']) {
    execFileSync(process.execPath, ['scripts/bundle.mjs', `bench/${name}.ts`, `dist-bench/${name}.cjs`], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
}

// --- the two targets ----------------------------------------------------------------------------------------
const HOLD = exampleDocument('holdCashout');
const RELEASE = exampleDocument('releaseCashout');
const graphqlBody = (query: string, cashoutId: number) =>
  JSON.stringify({ query, variables: { input: { cashoutId: String(cashoutId) } } });
const GRAPHQL_SUCCESS = /"__typename":"(?:Hold|Release)CashoutSuccess"/;

// The service runs with its ledger on an SQLite file; `ledger-off` is the same service with LEDGER_DISABLED=true,
// measured in the same rounds, so the ledger's cost is its own row.
type TargetName = 'baseline' | 'service' | 'ledger-off';

interface Running {
  name: TargetName;
  child: ChildProcess;
  url: string;
  load: LoadTarget;
}

function d24Env(sandbox: SandboxHello): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    D24_BASE_URL: sandbox.url,
    D24_LOGIN: sandbox.credentials.login,
    D24_PASS: sandbox.credentials.pass,
    D24_SECRET_KEY: sandbox.credentials.secretKey,
  };
}

/** The production settings: auth on (always configured; enforced once the auth work is in), info logs, metrics. */
function serviceEnv(sandbox: SandboxHello, jwtSecret: string, port: number): Record<string, string> {
  return {
    ...d24Env(sandbox),
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: String(port),
    AUTH_JWT_SECRET: jwtSecret,
    RATE_LIMIT_PER_MINUTE: '0',
    // One file for the run: the cold starts then restart on a migrated ledger, as a redeploy does.
    DATABASE_URL: `file:${path.join(workDir, 'ledger.sqlite')}`,
  };
}

function spawnTarget(
  name: TargetName,
  env: Record<string, string>,
  logFile: string | null,
  options: { underLoad: boolean },
): ChildProcess {
  const script = name === 'baseline' ? path.join(BUILD, 'baseline.cjs') : path.join(ROOT, 'dist/start.cjs');
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  // --profile DIR: both targets under load write V8 CPU profiles to DIR/<target> when they stop (read them with
  // bench/profile-summary.ts); cold-start processes are not profiled.
  const profile =
    options.underLoad && args.profile
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile, name)}`]
      : [];
  const child = spawn(process.execPath, [...profile, script], {
    env,
    stdio: ['ignore', out, out],
  });
  children.push(child);
  return child;
}

function loadTarget(name: TargetName, url: string, token: string): LoadTarget {
  if (name === 'baseline') {
    return {
      name,
      url,
      path: '/',
      headers: { 'content-type': 'application/json' },
      bodies: (id) => [
        JSON.stringify({ op: 'hold', cashoutId: id }),
        JSON.stringify({ op: 'release', cashoutId: id }),
      ],
      isSuccess: (body) => body.includes('"changed":true'),
    };
  }
  return {
    name,
    url,
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    bodies: (id) => [graphqlBody(HOLD, id), graphqlBody(RELEASE, id)],
    isSuccess: (body) =>
      GRAPHQL_SUCCESS.test(body) && body.includes('"changed":true') && !body.includes('"errors"'),
  };
}

/** Spawn to the first answered mutation: what an operator waits after a deploy or a restart. */
async function coldStart(
  name: 'baseline' | 'service',
  env: (port: number) => Record<string, string>,
  sandbox: SandboxHandle,
  token: string,
): Promise<number> {
  const port = await freePort();
  const [id] = (await sandbox.ask({ type: 'create', count: 1 })).ids as number[];
  const target = loadTarget(name, `http://127.0.0.1:${port}`, token);
  const [hold] = target.bodies(id as number);
  const started = performance.now();
  const child = spawnTarget(name, env(port), null, { underLoad: false });
  try {
    return await until(
      async () => {
        const answer = await http(`${target.url}${target.path}`, {
          method: 'POST',
          headers: target.headers,
          body: hold,
        });
        return answer.status === 200 && target.isSuccess(answer.body)
          ? performance.now() - started
          : undefined;
      },
      15_000,
      `${name} cold start`,
    );
  } finally {
    await stop(child);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

interface Measured extends LoadRun {
  cpuMsPer1000: number;
  connectionsOpened: number;
}

async function measure(target: Running, sandbox: SandboxHandle, seconds: number): Promise<Measured> {
  const ids = (await sandbox.ask({ type: 'create', count: settings.connections })).ids as number[];
  const connectionsBefore = (await sandbox.ask({ type: 'connections' })).connections as number;
  const pid = target.child.pid as number;
  const cpuBefore = cpuMs(pid);
  const run = await runLoad(target.load, ids, { connections: settings.connections, seconds });
  const cpu = cpuMs(pid) - cpuBefore;
  const connectionsAfter = (await sandbox.ask({ type: 'connections' })).connections as number;
  return {
    ...run,
    cpuMsPer1000: (cpu / run.answers) * 1000,
    connectionsOpened: connectionsAfter - connectionsBefore,
  };
}

async function main(): Promise<void> {
  const host = machine();
  console.log('building (npm run build, and the baseline and sandbox bundles into dist-bench/) ...');
  build();
  const sandbox = await startSandboxProcess(BUILD, children);
  const jwtSecret = randomBytes(32).toString('base64url');
  const token = await new SignJWT({ scope: 'cashouts:read cashouts:cancel cashouts:hold cashouts:release' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(jwtSecret));

  const logFile = path.join(workDir, 'service.log');
  const targets: Running[] = [];
  for (const name of ['baseline', 'service', 'ledger-off'] as const) {
    const port = await freePort();
    const env =
      name === 'baseline'
        ? { ...d24Env(sandbox.hello), PORT: String(port) }
        : {
            ...serviceEnv(sandbox.hello, jwtSecret, port),
            ...(name === 'ledger-off' && { LEDGER_DISABLED: 'true' }),
          };
    const child = spawnTarget(name, env, name === 'service' ? logFile : null, { underLoad: true });
    const url = `http://127.0.0.1:${port}`;
    await until(
      async () => ((await http(`${url}/health`)).status === 200 ? true : undefined),
      15_000,
      `${name} /health`,
    );
    targets.push({ name, child, url, load: loadTarget(name, url, token) });
  }
  const [baseline, service, ledgerOff] = targets as [Running, Running, Running];

  // What the service really ran with: whether it refused a request without a token, whether /metrics answered.
  const [probeId] = (await sandbox.ask({ type: 'create', count: 1 })).ids as number[];
  const anonymous = await http(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: graphqlBody(HOLD, probeId as number),
  });
  const auth =
    anonymous.status === 401 || anonymous.body.includes('UNAUTHENTICATED') ? 'enforced' : 'not enforced';
  const metricsAnswer = await http(`${service.url}/metrics`);
  const metrics = metricsAnswer.status === 200 && metricsAnswer.body.includes('# TYPE') ? 'on' : 'off';
  console.log(`service: auth ${auth}, metrics ${metrics}, LOG_LEVEL=info to ${logFile}`);

  const opened = { baseline: 0, service: 0, 'ledger-off': 0 };
  for (const target of targets) {
    const warm = await measure(target, sandbox, settings.warmupSeconds);
    opened[target.name] += warm.connectionsOpened;
  }
  const runs: Record<TargetName, Measured[]> = { baseline: [], service: [], 'ledger-off': [] };
  const rounds: BenchReport['rounds'] = [];
  for (let round = 0; round < settings.rounds; round++) {
    for (const target of round % 2 === 0 ? [baseline, service, ledgerOff] : [ledgerOff, service, baseline]) {
      const run = await measure(target, sandbox, settings.seconds);
      runs[target.name].push(run);
      opened[target.name] += run.connectionsOpened;
      rounds.push({
        target: target.name,
        round,
        requestsPerSecond: run.requestsPerSecond,
        p99: run.latencyMs.p99,
        cpuMsPer1000: run.cpuMsPer1000,
      });
      console.log(
        `round ${round + 1} ${target.name.padEnd(10)} ${run.requestsPerSecond.toFixed(0)} req/s, p99 ${run.latencyMs.p99.toFixed(2)} ms, ` +
          `${run.cpuMsPer1000.toFixed(0)} CPU ms/1000, ${run.connectionsOpened} new D24 connections`,
      );
    }
  }
  // Bulk against singles, on the service (ledger on), before it stops.
  const bulk = await measureBulk({
    url: service.url,
    token,
    pid: service.child.pid as number,
    create: async (count) => (await sandbox.ask({ type: 'create', count })).ids as number[],
    ...(smoke && { rounds: 1, items: 20 }),
  });
  const peak = {
    baseline: memoryMb(baseline.child.pid as number).peak,
    service: memoryMb(service.child.pid as number).peak,
    'ledger-off': memoryMb(ledgerOff.child.pid as number).peak,
  };
  const metricsAfter = metrics === 'on' ? (await http(`${service.url}/metrics`)).body : '';
  await Promise.all([stop(baseline.child), stop(service.child), stop(ledgerOff.child)]);
  const logLines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length;

  const cold = { baseline: [] as number[], service: [] as number[], 'ledger-off': [] as number[] };
  for (let i = 0; i < settings.coldStarts; i++) {
    cold.baseline.push(
      await coldStart(
        'baseline',
        (port) => ({ ...d24Env(sandbox.hello), PORT: String(port) }),
        sandbox,
        token,
      ),
    );
    cold.service.push(
      await coldStart('service', (port) => serviceEnv(sandbox.hello, jwtSecret, port), sandbox, token),
    );
  }
  const d24ConnectionsTotal = (await sandbox.ask({ type: 'connections' })).connections as number;
  await sandbox.ask({ type: 'close' });

  const figures = (name: TargetName): TargetFigures => {
    const list = runs[name];
    return {
      requestsPerSecond: median(list.map((r) => r.requestsPerSecond)),
      latencyMs: {
        p50: median(list.map((r) => r.latencyMs.p50)),
        p99: median(list.map((r) => r.latencyMs.p99)),
        max: Math.max(...list.map((r) => r.latencyMs.max)),
      },
      errors: list.reduce(
        (sum, r) => sum + r.errors.transport + r.errors.timeouts + r.errors.non2xx + r.errors.notSuccess,
        0,
      ),
      answers: list.reduce((sum, r) => sum + r.answers, 0),
      cpuMsPer1000: median(list.map((r) => r.cpuMsPer1000)),
      peakRssMb: peak[name],
      coldStartMs: median(cold[name]),
      d24Connections: opened[name],
    };
  };
  const b = figures('baseline');
  const s = figures('service');
  const ratios = {
    throughput: s.requestsPerSecond / b.requestsPerSecond,
    cpuPer1000: s.cpuMsPer1000 / b.cpuMsPer1000,
    p50AddedMs: s.latencyMs.p50 - b.latencyMs.p50,
    p99AddedMs: s.latencyMs.p99 - b.latencyMs.p99,
    peakRss: s.peakRssMb / b.peakRssMb,
    coldStart: s.coldStartMs / b.coldStartMs,
  };
  const checks: Check[] = [
    {
      name: 'throughput',
      value: ratios.throughput,
      unit: 'x',
      limit: '>= 0.8x',
      pass: ratios.throughput >= 0.8,
    },
    { name: 'cpu', value: ratios.cpuPer1000, unit: 'x', limit: '<= 1.5x', pass: ratios.cpuPer1000 <= 1.5 },
    {
      name: 'p99 added',
      value: ratios.p99AddedMs,
      unit: 'ms',
      limit: '<= +2 ms',
      pass: ratios.p99AddedMs <= 2,
    },
    { name: 'peak rss', value: s.peakRssMb, unit: 'MB', limit: '<= 128 MB', pass: s.peakRssMb <= 128 },
    { name: 'cold start', value: s.coldStartMs, unit: 'ms', limit: '<= 300 ms', pass: s.coldStartMs <= 300 },
  ];
  const report: BenchReport = {
    takenAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    commit: gitCommit(),
    machine: host,
    settings,
    service: {
      auth,
      metrics: metrics === 'on' && metricsAfter.includes('# TYPE') ? 'on' : metrics,
      logLevel: 'info',
      logTo: 'a file (stdout redirected)',
      logLines,
    },
    baseline: b,
    serviceFigures: s,
    ratios,
    checks,
    d24ConnectionsTotal,
    rounds,
    ledger: ledgerCost(s, figures('ledger-off')),
    bulk,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'bench.svg'), svg(report));
  console.log(`\n${table(report)}\n`);
  console.log(ledgerRow(report));
  console.log(bulkRow(bulk));
  console.log(
    `D24 connections accepted by the sandbox in all: ${d24ConnectionsTotal} (cold starts included)`,
  );
  console.log(`wrote ${path.join(outDir, 'bench.json')} and bench.svg`);
  if (b.errors + s.errors > 0 || b.answers === 0 || s.answers === 0) {
    const byRound = (name: 'baseline' | 'service') => JSON.stringify(runs[name].map((r) => r.errors));
    console.error(
      `errors during the run: the figures are not valid (per round, baseline ${byRound('baseline')}, service ${byRound('service')})`,
    );
    process.exitCode = 1;
  }
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
}
