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
  baseline: TargetFigures;
  serviceFigures: TargetFigures;
  ratios: {
    throughput: number;
    cpuPer1000: number;
    p50AddedMs: number;
    p99AddedMs: number;
    peakRss: number;
    coldStart: number;
  };
  checks: Check[];
  d24ConnectionsTotal: number;
  rounds: { target: string; round: number; requestsPerSecond: number; p99: number; cpuMsPer1000: number }[];
  /** The ledger's cost: the service (ledger on an SQLite file) against itself with LEDGER_DISABLED=true. */
  ledger?: { off: TargetFigures; throughput: number; cpuPer1000: number; p99AddedMs: number };
  /** A 100-item holdCashouts against 100 single holdCashout calls (bench/bulk.ts). */
  bulk?: BulkFigures;
}

export function ledgerCost(on: TargetFigures, off: TargetFigures): NonNullable<BenchReport['ledger']> {
  return {
    off,
    throughput: on.requestsPerSecond / off.requestsPerSecond,
    cpuPer1000: on.cpuMsPer1000 / off.cpuMsPer1000,
    p99AddedMs: on.latencyMs.p99 - off.latencyMs.p99,
  };
}

/** One line: the ledger on against off (target: at most 10% of throughput). */
export function ledgerRow(report: BenchReport): string {
  const l = report.ledger;
  if (!l) return '';
  return (
    `ledger (SQLite file) on vs off: ${f(report.serviceFigures.requestsPerSecond, 0)} vs ${f(l.off.requestsPerSecond, 0)} req/s = ` +
    `${f(l.throughput, 2)}x throughput (target >= 0.90x: ${l.throughput >= 0.9 ? 'PASS' : 'FAIL'}), ` +
    `${f(l.cpuPer1000, 2)}x CPU per answer, p99 ${signed(l.p99AddedMs)}`
  );
}

const f = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const signed = (value: number, digits = 2) => `${value >= 0 ? '+' : ''}${f(value, digits)} ms`;

/** The table printed on stdout: both targets, the ratios and each target's verdict. */
export function table(report: BenchReport): string {
  const b = report.baseline;
  const s = report.serviceFigures;
  const r = report.ratios;
  const check = (name: string) => {
    const found = report.checks.find((c) => c.name === name);
    return found ? `${found.limit.padEnd(10)} ${found.pass ? 'PASS' : 'FAIL'}` : '';
  };
  const rows: [string, string, string, string, string][] = [
    ['', 'baseline', 'service', 'service/baseline', 'target'],
    [
      'requests/s',
      f(b.requestsPerSecond, 0),
      f(s.requestsPerSecond, 0),
      `${f(r.throughput, 2)}x`,
      check('throughput'),
    ],
    ['p50 latency ms', f(b.latencyMs.p50, 2), f(s.latencyMs.p50, 2), signed(r.p50AddedMs), ''],
    [
      'p99 latency ms',
      f(b.latencyMs.p99, 2),
      f(s.latencyMs.p99, 2),
      signed(r.p99AddedMs),
      check('p99 added'),
    ],
    ['max latency ms', f(b.latencyMs.max, 1), f(s.latencyMs.max, 1), '', ''],
    ['errors', String(b.errors), String(s.errors), '', ''],
    ['answers', String(b.answers), String(s.answers), '', ''],
    [
      'CPU ms/1000 answers',
      f(b.cpuMsPer1000, 0),
      f(s.cpuMsPer1000, 0),
      `${f(r.cpuPer1000, 2)}x`,
      check('cpu'),
    ],
    ['peak RSS MB', f(b.peakRssMb), f(s.peakRssMb), `${f(r.peakRss, 2)}x`, check('peak rss')],
    ['cold start ms', f(b.coldStartMs, 0), f(s.coldStartMs, 0), `${f(r.coldStart, 2)}x`, check('cold start')],
    ['D24 connections', String(b.d24Connections), String(s.d24Connections), '', ''],
  ];
  const widths = [20, 10, 10, 17, 16];
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 10) : cell.padStart(widths[i] ?? 10)))
        .join(' '),
    )
    .join('\n');
}

/** A hand-written SVG: per figure, a baseline bar and a service bar, with the ratio and the verdict. */
export function svg(report: BenchReport): string {
  const b = report.baseline;
  const s = report.serviceFigures;
  const r = report.ratios;
  const verdict = (name: string) => report.checks.find((c) => c.name === name);
  const metrics: { label: string; unit: string; base: number; svc: number; note: string; check?: Check }[] = [
    {
      label: 'Throughput',
      unit: 'req/s',
      base: b.requestsPerSecond,
      svc: s.requestsPerSecond,
      note: `${f(r.throughput, 2)}×`,
      check: verdict('throughput'),
    },
    {
      label: 'CPU per 1,000 answers',
      unit: 'ms',
      base: b.cpuMsPer1000,
      svc: s.cpuMsPer1000,
      note: `${f(r.cpuPer1000, 2)}×`,
      check: verdict('cpu'),
    },
    {
      label: 'p50 latency',
      unit: 'ms',
      base: b.latencyMs.p50,
      svc: s.latencyMs.p50,
      note: signed(r.p50AddedMs),
    },
    {
      label: 'p99 latency',
      unit: 'ms',
      base: b.latencyMs.p99,
      svc: s.latencyMs.p99,
      note: signed(r.p99AddedMs),
      check: verdict('p99 added'),
    },
    {
      label: 'Peak RSS',
      unit: 'MB',
      base: b.peakRssMb,
      svc: s.peakRssMb,
      note: `${f(r.peakRss, 2)}×`,
      check: verdict('peak rss'),
    },
    {
      label: 'Cold start',
      unit: 'ms',
      base: b.coldStartMs,
      svc: s.coldStartMs,
      note: `${f(r.coldStart, 2)}×`,
      check: verdict('cold start'),
    },
  ];
  const width = 880;
  const left = 210;
  const barMax = 330;
  const rowHeight = 56;
  const top = 96;
  const height = top + metrics.length * rowHeight + 40;
  const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="600">d24-cashout-graphql: the service against a bare signed proxy</text>`,
    `<text x="16" y="46" fill="#555">${esc(`${report.settings.connections} connections, ${report.settings.rounds}×${report.settings.seconds} s per target (medians), ${report.machine.cpus} CPUs ${report.machine.model}, Node ${report.machine.node}, ${report.takenAt.slice(0, 10)}`)}</text>`,
    `<rect x="16" y="56" width="12" height="12" fill="#9aa5b1"/><text x="34" y="66">baseline (node:http + the same signed D24 client)</text>`,
    `<rect x="16" y="74" width="12" height="12" fill="#2f6fdf"/><text x="34" y="84">service (GraphQL, auth ${esc(report.service.auth)}, metrics ${esc(report.service.metrics)}, logs ${esc(report.service.logLevel)})</text>`,
  );
  metrics.forEach((m, i) => {
    const y = top + i * rowHeight;
    const max = Math.max(m.base, m.svc) || 1;
    const bw = Math.max(1, (m.base / max) * barMax);
    const sw = Math.max(1, (m.svc / max) * barMax);
    parts.push(
      `<text x="16" y="${y + 20}" font-weight="600">${esc(m.label)}</text>`,
      `<text x="16" y="${y + 38}" fill="#555">${esc(m.unit)}</text>`,
      `<rect x="${left}" y="${y + 6}" width="${bw.toFixed(1)}" height="18" fill="#9aa5b1"/>`,
      `<text x="${(left + bw + 6).toFixed(1)}" y="${y + 20}">${f(m.base, m.unit === 'req/s' ? 0 : 1)}</text>`,
      `<rect x="${left}" y="${y + 28}" width="${sw.toFixed(1)}" height="18" fill="#2f6fdf"/>`,
      `<text x="${(left + sw + 6).toFixed(1)}" y="${y + 42}">${f(m.svc, m.unit === 'req/s' ? 0 : 1)}</text>`,
      `<text x="${left + barMax + 80}" y="${y + 30}" font-weight="600">${esc(m.note)}</text>`,
    );
    if (m.check) {
      parts.push(
        `<text x="${left + barMax + 175}" y="${y + 30}" fill="${m.check.pass ? '#1a7f37' : '#cf222e'}">${m.check.pass ? '✓' : '✗'} ${esc(m.check.limit)}</text>`,
      );
    }
  });
  parts.push(
    `<text x="16" y="${height - 14}" fill="#555">${esc(`D24 connections opened under load: baseline ${b.d24Connections}, service ${s.d24Connections}, for ${b.answers + s.answers} answers (${report.d24ConnectionsTotal} in all, cold starts included). ${report.command}`)}</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
