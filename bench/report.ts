import type { BulkFigures } from './bulk.js';
import type { Machine } from './proc.js';

export interface TargetFigures {
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  errors: number;
  answers: number;
  cpuMsPer1000: number;
  peakRssMb: number;
  coldStartMs: number;
  /** TCP connections the sandbox accepted while this target was under load (warm-up included). */
  d24Connections: number;
}

/** One target against the floor (the floor's own are 1× and +0 ms). */
export interface Ratios {
  throughput: number;
  cpuPer1000: number;
  p50AddedMs: number;
  p99AddedMs: number;
  peakRss: number;
  coldStart: number;
}

export interface TargetReport {
  name: string;
  kind: 'proxy' | 'service';
  env?: Record<string, string>;
  figures: TargetFigures;
  vsFloor: Ratios;
  /** CPU per answer over the floor's in the same round; their median is what the CPU checks use. */
  cpuRatioPerRound: number[];
}

export interface Check {
  name: string;
  value: number;
  unit: string;
  limit: string;
  pass: boolean;
}

export interface BenchReport {
  takenAt: string;
  command: string;
  commit: string | null;
  machine: Machine;
  settings: {
    connections: number;
    seconds: number;
    warmupSeconds: number;
    rounds: number;
    coldStarts: number;
  };
  service: { auth: string; metrics: string; logLevel: string; logTo: string; logLines: number };
  /** The floor first, then the client behind node:http, the service, and any extra targets of this run. */
  targets: TargetReport[];
  checks: Check[];
  d24ConnectionsTotal: number;
  rounds: { target: string; round: number; requestsPerSecond: number; p99: number; cpuMsPer1000: number }[];
  /** The service's group commits over warm-up and rounds (its /metrics), as means. */
  ledgerCommits?: { commits: number; eventsPerCommit: number; secondsPerCommit: number } | null;
  /** The ledger's cost: the service (ledger on an SQLite file) against itself with LEDGER_DISABLED=true. */
  ledger?: {
    on: TargetFigures;
    off: TargetFigures;
    throughput: number;
    cpuPer1000: number;
    p99AddedMs: number;
    /** Per round, on ÷ off: each round runs both under the same load, so these are the figures to read. */
    perRound: { throughput: number[]; cpuPer1000: number[] };
  };
  /** A 100-item holdCashouts against 100 single holdCashout calls (bench/bulk.ts). */
  bulk?: BulkFigures;
}

export function ledgerCost(
  on: TargetFigures,
  off: TargetFigures,
  rounds: BenchReport['rounds'],
  names = { on: 'service', off: 'ledger-off' },
): NonNullable<BenchReport['ledger']> {
  const pairs = rounds
    .filter((r) => r.target === names.on)
    .flatMap((r) => {
      const other = rounds.find((o) => o.target === names.off && o.round === r.round);
      return other ? [[r, other] as const] : [];
    });
  return {
    on,
    off,
    throughput: on.requestsPerSecond / off.requestsPerSecond,
    cpuPer1000: on.cpuMsPer1000 / off.cpuMsPer1000,
    p99AddedMs: on.latencyMs.p99 - off.latencyMs.p99,
    perRound: {
      throughput: pairs.map(([a, b]) => a.requestsPerSecond / b.requestsPerSecond),
      cpuPer1000: pairs.map(([a, b]) => a.cpuMsPer1000 / b.cpuMsPer1000),
    },
  };
}

/** One line: the ledger on against off (target: at most 10% of throughput). */
export function ledgerRow(report: BenchReport): string {
  const l = report.ledger;
  if (!l) return '';
  return (
    `ledger (SQLite file) on vs off: ${f(l.on.requestsPerSecond, 0)} vs ${f(l.off.requestsPerSecond, 0)} req/s = ` +
    `${f(l.throughput, 2)}x throughput (target >= 0.90x: ${l.throughput >= 0.9 ? 'PASS' : 'FAIL'}), ` +
    `${f(l.cpuPer1000, 2)}x CPU per answer, p99 ${signed(l.p99AddedMs)}; per round (same load): throughput ` +
    `${spread(l.perRound.throughput) || 'n/a'}x, CPU per answer ${spread(l.perRound.cpuPer1000) || 'n/a'}x`
  );
}

const f = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const signed = (value: number, digits = 2) => `${value >= 0 ? '+' : ''}${f(value, digits)} ms`;
/** The median (the mean of the middle two for an even count). */
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const spread = (values: number[]) =>
  values.length > 1 ? `${f(Math.min(...values), 2)}–${f(Math.max(...values), 2)}` : '';

/** The table printed on stdout: each target's figures, then its ratio to the floor; the verdicts below. */
export function table(report: BenchReport): string {
  const header = ['', ...report.targets.map((t) => t.name)];
  const row = (label: string, cell: (t: TargetReport) => string) => [label, ...report.targets.map(cell)];
  const rows = [
    header,
    row('requests/s', (t) => f(t.figures.requestsPerSecond, 0)),
    row('  × floor', (t) => `${f(t.vsFloor.throughput, 2)}x`),
    row('CPU ms/1000 answers', (t) => f(t.figures.cpuMsPer1000, 0)),
    row('  × floor', (t) => `${f(t.vsFloor.cpuPer1000, 2)}x`),
    row('  × floor, paired', (t) => (t.name === 'floor' ? '' : `${f(median(t.cpuRatioPerRound), 2)}x`)),
    row('  × floor per round', (t) => (t.name === 'floor' ? '' : spread(t.cpuRatioPerRound))),
    row('p50 latency ms', (t) => f(t.figures.latencyMs.p50, 2)),
    row('p99 latency ms', (t) => f(t.figures.latencyMs.p99, 2)),
    row('  p99 added', (t) => signed(t.vsFloor.p99AddedMs)),
    row('max latency ms', (t) => f(t.figures.latencyMs.max, 1)),
    row('errors', (t) => String(t.figures.errors)),
    row('answers', (t) => String(t.figures.answers)),
    row('peak RSS MB', (t) => f(t.figures.peakRssMb)),
    row('  × floor', (t) => `${f(t.vsFloor.peakRss, 2)}x`),
    row('cold start ms', (t) => f(t.figures.coldStartMs, 0)),
    row('D24 connections', (t) => String(t.figures.d24Connections)),
  ];
  const lines = rows.map((cells) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(21) : cell.padStart(12))).join(' '),
  );
  lines.push(
    '',
    ...report.checks.map(
      (c) =>
        `${c.pass ? 'PASS' : 'FAIL'}  ${c.name.padEnd(11)} ${f(c.value, c.unit === 'x' ? 2 : 1)}${c.unit === 'x' ? 'x' : ` ${c.unit}`} (target ${c.limit})`,
    ),
  );
  return lines.join('\n');
}

const COLOURS = ['#9aa5b1', '#e3a008', '#2f6fdf', '#7e57c2', '#26a69a', '#ef6c00'];

/** A hand-written SVG: per figure, one bar per target, with each target's ratio to the floor. */
export function svg(report: BenchReport): string {
  const verdict = (name: string) => report.checks.find((c) => c.name === name);
  const metrics: {
    label: string;
    unit: string;
    value: (t: TargetFigures) => number;
    note: (r: Ratios) => string;
    check?: Check;
  }[] = [
    {
      label: 'Throughput',
      unit: 'req/s',
      value: (t) => t.requestsPerSecond,
      note: (r) => `${f(r.throughput, 2)}×`,
      check: verdict('throughput'),
    },
    {
      label: 'CPU per 1,000 answers',
      unit: 'ms',
      value: (t) => t.cpuMsPer1000,
      note: (r) => `${f(r.cpuPer1000, 2)}×`,
      check: verdict('cpu'),
    },
    {
      label: 'p99 latency',
      unit: 'ms',
      value: (t) => t.latencyMs.p99,
      note: (r) => signed(r.p99AddedMs, 1),
      check: verdict('p99 added'),
    },
    {
      label: 'Peak RSS',
      unit: 'MB',
      value: (t) => t.peakRssMb,
      note: (r) => `${f(r.peakRss, 2)}×`,
      check: verdict('peak rss'),
    },
    {
      label: 'Cold start',
      unit: 'ms',
      value: (t) => t.coldStartMs,
      note: (r) => `${f(r.coldStart, 2)}×`,
      check: verdict('cold start'),
    },
  ];
  const targets = report.targets;
  const width = 900;
  const left = 210;
  const barMax = 380;
  const bar = 16;
  const rowHeight = targets.length * (bar + 4) + 22;
  const top = 66 + targets.length * 18;
  const height = top + metrics.length * rowHeight + 40;
  const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const describe = (t: TargetReport) =>
    t.name === 'floor'
      ? 'floor: node:http + createHmac + one undici Pool, none of the project code'
      : t.name === 'client'
        ? "client: the same node:http proxy calling the project's D24Client"
        : t.kind === 'service'
          ? `${t.name}: ${
              t.env
                ? Object.entries(t.env)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(' ')
                : `npm start, auth ${report.service.auth}, metrics ${report.service.metrics}, logs ${report.service.logLevel}`
            }`
          : t.name;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="600">d24-cashout-graphql against the floor (a minimal signed proxy); ratios × floor</text>`,
    `<text x="16" y="46" fill="#555">${esc(`${report.settings.connections} connections, ${report.settings.rounds}×${report.settings.seconds} s per target (medians), ${report.machine.cpus} CPUs ${report.machine.model}, Node ${report.machine.node}, ${report.takenAt.slice(0, 10)}`)}</text>`,
  ];
  targets.forEach((t, i) => {
    const y = 56 + i * 18;
    parts.push(
      `<rect x="16" y="${y}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/><text x="34" y="${y + 10}">${esc(describe(t))}</text>`,
    );
  });
  metrics.forEach((m, i) => {
    const y = top + i * rowHeight;
    const max = Math.max(...targets.map((t) => m.value(t.figures)).filter(Number.isFinite)) || 1;
    parts.push(
      `<text x="16" y="${y + 20}" font-weight="600">${esc(m.label)}</text>`,
      `<text x="16" y="${y + 38}" fill="#555">${esc(m.unit)}</text>`,
    );
    targets.forEach((t, j) => {
      const value = m.value(t.figures);
      const w = Math.max(1, ((Number.isFinite(value) ? value : 0) / max) * barMax);
      const by = y + 6 + j * (bar + 4);
      parts.push(
        `<rect x="${left}" y="${by}" width="${w.toFixed(1)}" height="${bar}" fill="${COLOURS[j % COLOURS.length]}"/>`,
        `<text x="${(left + w + 6).toFixed(1)}" y="${by + 12}">${f(value, m.unit === 'req/s' ? 0 : 1)}${t.name === 'floor' ? '' : `  (${esc(m.note(t.vsFloor))})`}</text>`,
      );
    });
    if (m.check) {
      parts.push(
        `<text x="${left + barMax + 170}" y="${y + 20}" fill="${m.check.pass ? '#1a7f37' : '#cf222e'}">${m.check.pass ? '✓' : '✗'} service ${esc(m.check.limit)}</text>`,
      );
    }
  });
  const client = report.checks.find((c) => c.name === 'client cpu');
  parts.push(
    `<text x="16" y="${height - 14}" fill="#555">${esc(`${client ? `client CPU ${f(client.value, 2)}× floor (target ${client.limit}). ` : ''}D24 connections accepted by the sandbox: ${report.d24ConnectionsTotal} for ${targets.reduce((sum, t) => sum + t.figures.answers, 0)} answers. ${report.command}`)}</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
