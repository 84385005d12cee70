import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exampleDocument } from '../src/server/http/examples.js';
import { freePort, requestOnce, untilValue } from '../test/support/http.js';
import { bulkRow, measureBulk } from './bulk.js';
import { type LoadRun, type LoadTarget, runLoad } from './load.js';
import { cpuMs, machine, memoryMb } from './proc.js';
import { benchToken, runTool, type SandboxHandle, startSandboxProcess, stop } from './processes.js';
import {
  type BenchReport,
  type Check,
  ledgerCost,
  ledgerRow,
  median,
  type Ratios,
  svg,
  type TargetFigures,
  type TargetReport,
  table,
} from './report.js';
import type { SandboxHello } from './sandbox-process.js';

// `npm run bench`: the sandbox, the floor (a minimal signed proxy using none of the project's code), the project's
// D24 client behind the same node:http proxy, and the service, each in its own process, driven alternately at the
// same concurrency; every ratio is against the floor. Figures on stdout, in docs/bench.json and docs/bench.svg.
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
    // Extra targets measured in the same alternation (A/B in one run): a proxy bundle speaking the floor's protocol
    // (`--proxy NAME=FILE.cjs`), or the service with extra environment (`--service-variant NAME=KEY=VALUE,...`).
    // or another build of the service (`--service-build NAME=PATH/dist/start.cjs`, e.g. a worktree of main).
    proxy: { type: 'string', multiple: true, default: [] },
    'service-variant': { type: 'string', multiple: true, default: [] },
    'service-build': { type: 'string', multiple: true, default: [] },
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
  for (const name of ['floor', 'client-proxy', 'sandbox-process']) {
    execFileSync(process.execPath, ['scripts/bundle.mjs', `bench/${name}.ts`, `dist-bench/${name}.cjs`], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
}

// --- the targets --------------------------------------------------------------------------------------------
const HOLD = exampleDocument('holdCashout');
const RELEASE = exampleDocument('releaseCashout');
const graphqlBody = (query: string, cashoutId: number) =>
  JSON.stringify({ query, variables: { input: { cashoutId: String(cashoutId) } } });
const GRAPHQL_SUCCESS = /"__typename":"(?:Hold|Release)CashoutSuccess"/;

/** A process to measure: a proxy speaking the floor's `{op, cashoutId}` protocol, or the service (GraphQL). */
interface TargetSpec {
  name: string;
  kind: 'proxy' | 'service';
  script: string;
  /** Extra environment (service variants). */
  env?: Record<string, string>;
}

interface Running {
  spec: TargetSpec;
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

/** The production settings: auth enforced, info logs, metrics; only the rate limit off. */
function targetEnv(spec: TargetSpec, sandbox: SandboxHello, jwtSecret: string, port: number) {
  if (spec.kind === 'proxy') return { ...d24Env(sandbox), PORT: String(port) };
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
    ...spec.env,
  };
}

function spawnTarget(
  spec: TargetSpec,
  env: Record<string, string>,
  logFile: string | null,
  options: { underLoad: boolean },
): ChildProcess {
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  // --profile DIR: every target under load writes V8 CPU profiles to DIR/<target> when it stops (read them with
  // bench/profile-summary.ts); cold-start processes are not profiled.
  const profile =
    options.underLoad && args.profile
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args.profile, spec.name)}`]
      : [];
  const child = spawn(process.execPath, [...profile, spec.script], { env, stdio: ['ignore', out, out] });
  children.push(child);
  return child;
}

function loadTarget(spec: TargetSpec, url: string, token: string): LoadTarget {
  if (spec.kind === 'proxy') {
    return {
      name: spec.name,
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
    name: spec.name,
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
  spec: TargetSpec,
  sandbox: SandboxHandle,
  jwtSecret: string,
  token: string,
): Promise<number> {
  const port = await freePort();
  const [id] = (await sandbox.ask({ type: 'create', count: 1 })).ids as number[];
  const target = loadTarget(spec, `http://127.0.0.1:${port}`, token);
  const [hold] = target.bodies(id as number);
  const started = performance.now();
  const child = spawnTarget(spec, targetEnv(spec, sandbox.hello, jwtSecret, port), null, {
    underLoad: false,
  });
  try {
    return await untilValue(
      async () => {
        const answer = await requestOnce(`${target.url}${target.path}`, {
          method: 'POST',
          headers: target.headers,
          body: hold,
        });
        return answer.status === 200 && target.isSuccess(answer.body)
          ? performance.now() - started
          : undefined;
      },
      15_000,
      `${spec.name} cold start`,
    );
  } finally {
    await stop(child);
  }
}

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

/** Round r runs the targets rotated by r, reversed every other round, so no target always follows another. */
function roundOrder<T>(targets: readonly T[], round: number): T[] {
  const rotated = [...targets.slice(round % targets.length), ...targets.slice(0, round % targets.length)];
  return round % 2 ? rotated.reverse() : rotated;
}

function specs(): TargetSpec[] {
  const list: TargetSpec[] = [
    { name: 'floor', kind: 'proxy', script: path.join(BUILD, 'floor.cjs') },
    { name: 'client', kind: 'proxy', script: path.join(BUILD, 'client-proxy.cjs') },
    { name: 'service', kind: 'service', script: path.join(ROOT, 'dist/start.cjs') },
    // The same service with its ledger off, in the same rounds: the ledger's cost is its own row.
    {
      name: 'ledger-off',
      kind: 'service',
      script: path.join(ROOT, 'dist/start.cjs'),
      env: { LEDGER_DISABLED: 'true' },
    },
  ];
  for (const extra of args.proxy ?? []) {
    const [name, file] = extra.split('=') as [string, string];
    list.push({ name, kind: 'proxy', script: path.resolve(file) });
  }
  for (const build of args['service-build'] ?? []) {
    const [name, file] = build.split('=') as [string, string];
    list.push({ name, kind: 'service', script: path.resolve(file) });
  }
  for (const variant of args['service-variant'] ?? []) {
    const [name, ...rest] = variant.split('=');
    const env = Object.fromEntries(
      rest
        .join('=')
        .split(',')
        // Split at the first '=' only: a value may hold one (NODE_OPTIONS=--max-semi-space-size=8).
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    );
    list.push({ name: name as string, kind: 'service', script: path.join(ROOT, 'dist/start.cjs'), env });
  }
  return list;
}

async function main(): Promise<void> {
  const host = machine();
  console.log('building (npm run build, and the floor, client and sandbox bundles into dist-bench/) ...');
  build();
  const sandbox = await startSandboxProcess(BUILD, children);
  const { secret: jwtSecret, token } = await benchToken();

  const logFile = path.join(workDir, 'service.log');
  const targets: Running[] = [];
  for (const spec of specs()) {
    const port = await freePort();
    const env = targetEnv(spec, sandbox.hello, jwtSecret, port);
    const child = spawnTarget(spec, env, spec.kind === 'service' ? logFile : null, { underLoad: true });
    const url = `http://127.0.0.1:${port}`;
    await untilValue(
      async () => ((await requestOnce(`${url}/health`)).status === 200 ? true : undefined),
      15_000,
      `${spec.name} /health`,
    );
    targets.push({ spec, child, url, load: loadTarget(spec, url, token) });
  }
  const service = targets.find((t) => t.spec.name === 'service') as Running;

  // What the service really ran with: whether it refused a request without a token, whether /metrics answered.
  const [probeId] = (await sandbox.ask({ type: 'create', count: 1 })).ids as number[];
  const anonymous = await requestOnce(`${service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: graphqlBody(HOLD, probeId as number),
  });
  const auth =
    anonymous.status === 401 || anonymous.body.includes('UNAUTHENTICATED') ? 'enforced' : 'not enforced';
  const metricsAnswer = await requestOnce(`${service.url}/metrics`);
  const metrics = metricsAnswer.status === 200 && metricsAnswer.body.includes('# TYPE') ? 'on' : 'off';
  console.log(`service: auth ${auth}, metrics ${metrics}, LOG_LEVEL=info to ${logFile}`);

  const runs = new Map<string, Measured[]>(targets.map((t) => [t.spec.name, []]));
  const opened = new Map<string, number>(targets.map((t) => [t.spec.name, 0]));
  for (const target of targets) {
    const warm = await measure(target, sandbox, settings.warmupSeconds);
    opened.set(target.spec.name, (opened.get(target.spec.name) ?? 0) + warm.connectionsOpened);
  }
  const rounds: BenchReport['rounds'] = [];
  for (let round = 0; round < settings.rounds; round++) {
    for (const target of roundOrder(targets, round)) {
      const { name } = target.spec;
      const run = await measure(target, sandbox, settings.seconds);
      runs.get(name)?.push(run);
      opened.set(name, (opened.get(name) ?? 0) + run.connectionsOpened);
      rounds.push({
        target: name,
        round,
        requestsPerSecond: run.requestsPerSecond,
        p99: run.latencyMs.p99,
        cpuMsPer1000: run.cpuMsPer1000,
      });
      console.log(
        `round ${round + 1} ${name.padEnd(10)} ${run.requestsPerSecond.toFixed(0)} req/s, p99 ${run.latencyMs.p99.toFixed(2)} ms, ` +
          `${run.cpuMsPer1000.toFixed(0)} CPU ms/1000, ${run.connectionsOpened} new D24 connections`,
      );
    }
  }
  // How the group commit batched under the rounds' load (before bulk adds its own commits).
  const commits = ledgerCommits(metrics === 'on' ? (await requestOnce(`${service.url}/metrics`)).body : '');
  // Peak RSS under the rounds' load, the same load for every target: read before bulk adds its own work.
  const peak = new Map(targets.map((t) => [t.spec.name, memoryMb(t.child.pid as number).peak]));
  // Bulk against singles, on the service (ledger on), before it stops. Not when profiling: a profile covers the
  // process's whole life, and bulk's thousands of ungrouped commits would then weigh in every share.
  const bulk = args.profile
    ? undefined
    : await measureBulk({
        url: service.url,
        token,
        pid: service.child.pid as number,
        create: async (count) => (await sandbox.ask({ type: 'create', count })).ids as number[],
        ...(smoke && { rounds: 1, items: 20 }),
      });
  const metricsAfter = metrics === 'on' ? (await requestOnce(`${service.url}/metrics`)).body : '';
  await Promise.all(targets.map((t) => stop(t.child)));
  const logLines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length;

  const cold = new Map<string, number[]>(targets.map((t) => [t.spec.name, []]));
  for (let i = 0; i < settings.coldStarts; i++) {
    for (const { spec } of targets)
      cold.get(spec.name)?.push(await coldStart(spec, sandbox, jwtSecret, token));
  }
  const d24ConnectionsTotal = (await sandbox.ask({ type: 'connections' })).connections as number;
  await sandbox.ask({ type: 'close' });

  const figures = (name: string): TargetFigures => {
    const list = runs.get(name) ?? [];
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
      peakRssMb: peak.get(name) ?? Number.NaN,
      coldStartMs: median(cold.get(name) ?? []),
      d24Connections: opened.get(name) ?? 0,
    };
  };
  const floor = figures('floor');
  const measured: TargetReport[] = targets.map(({ spec }) => {
    const own = figures(spec.name);
    return {
      name: spec.name,
      kind: spec.kind,
      ...(spec.env && { env: spec.env }),
      figures: own,
      vsFloor: vsFloor(own, floor),
      cpuRatioPerRound: rounds
        .filter((r) => r.target === spec.name)
        .map((r) => {
          const floorRound = rounds.find((f) => f.target === 'floor' && f.round === r.round);
          return floorRound ? r.cpuMsPer1000 / floorRound.cpuMsPer1000 : Number.NaN;
        }),
    };
  });
  const of = (name: string) => measured.find((t) => t.name === name) as TargetReport;
  const s = of('service').vsFloor;
  const serviceColdStart = of('service').figures.coldStartMs;
  // CPU checks use the median of per-round ratios: each round pairs a target with the floor under the same load.
  const pairedCpu = (name: string) => median(of(name).cpuRatioPerRound);
  const clientCpu = pairedCpu('client');
  const serviceCpu = pairedCpu('service');
  const checks: Check[] = [
    { name: 'throughput', value: s.throughput, unit: 'x', limit: '>= 0.8x', pass: s.throughput >= 0.8 },
    { name: 'cpu', value: serviceCpu, unit: 'x', limit: '<= 1.5x', pass: serviceCpu <= 1.5 },
    { name: 'p99 added', value: s.p99AddedMs, unit: 'ms', limit: '<= +2 ms', pass: s.p99AddedMs <= 2 },
    { name: 'peak rss', value: s.peakRss, unit: 'x', limit: '<= 1.3x', pass: s.peakRss <= 1.3 },
    {
      name: 'cold start',
      value: serviceColdStart,
      unit: 'ms',
      limit: '<= 300 ms',
      pass: serviceColdStart <= 300,
    },
    // The lean-client target: the client behind the floor's node:http side, against the floor.
    { name: 'client cpu', value: clientCpu, unit: 'x', limit: '<= 1.1x', pass: clientCpu <= 1.1 },
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
    targets: measured,
    checks,
    d24ConnectionsTotal,
    rounds,
    ledgerCommits: commits,
    ledger: ledgerCost(figures('service'), figures('ledger-off'), rounds),
    bulk,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'bench.svg'), svg(report));
  console.log(`\n${table(report)}\n`);
  console.log(ledgerRow(report));
  if (commits)
    console.log(
      `ledger group commits under load: ${commits.commits}, ${commits.eventsPerCommit.toFixed(2)} events per commit, ` +
        `${(commits.secondsPerCommit * 1e6).toFixed(0)} µs per commit (wall clock)`,
    );
  console.log(bulk ? bulkRow(bulk) : 'bulk: not measured (--profile: the profiles cover the rounds only)');
  console.log(
    `D24 connections accepted by the sandbox in all: ${d24ConnectionsTotal} (cold starts included)`,
  );
  console.log(`wrote ${path.join(outDir, 'bench.json')} and bench.svg`);
  if (measured.some((t) => t.figures.errors > 0 || t.figures.answers === 0)) {
    const byRound = (name: string) => JSON.stringify(runs.get(name)?.map((r) => r.errors));
    console.error(
      `errors during the run: the figures are not valid (per round: ${measured.map((t) => `${t.name} ${byRound(t.name)}`).join(', ')})`,
    );
    process.exitCode = 1;
  }
}

/** The service's `ledger_batch_events` and `ledger_write_duration_seconds` histograms, as means. */
function ledgerCommits(
  metricsText: string,
): { commits: number; eventsPerCommit: number; secondsPerCommit: number } | null {
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metricsText)?.[1]);
  const commits = value('ledger_batch_events_count');
  if (!(commits > 0)) return null;
  return {
    commits,
    eventsPerCommit: value('ledger_batch_events_sum') / commits,
    secondsPerCommit: value('ledger_write_duration_seconds_sum') / commits,
  };
}

function vsFloor(own: TargetFigures, floor: TargetFigures): Ratios {
  return {
    throughput: own.requestsPerSecond / floor.requestsPerSecond,
    cpuPer1000: own.cpuMsPer1000 / floor.cpuMsPer1000,
    p50AddedMs: own.latencyMs.p50 - floor.latencyMs.p50,
    p99AddedMs: own.latencyMs.p99 - floor.latencyMs.p99,
    peakRss: own.peakRssMb / floor.peakRssMb,
    coldStart: own.coldStartMs / floor.coldStartMs,
  };
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

await runTool(main, children, () => rmSync(workDir, { recursive: true, force: true }));
