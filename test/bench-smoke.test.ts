import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../bench/report.js';

// A short run of `npm run bench` (build, sandbox, both targets, cold start), so the benchmark cannot rot.
const out = mkdtempSync(path.join(os.tmpdir(), 'd24-bench-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run bench -- --smoke', () => {
  it('drives the baseline and the service to answers without errors and reports every figure', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out],
      { cwd: path.resolve(import.meta.dirname, '..'), timeout: 150_000 },
    );
    expect(stdout).toContain('service/baseline');
    const report = JSON.parse(readFileSync(path.join(out, 'bench.json'), 'utf8')) as BenchReport;
    for (const figures of [report.baseline, report.serviceFigures]) {
      expect(figures.requestsPerSecond).toBeGreaterThan(0);
      expect(figures.errors).toBe(0);
      expect(figures.cpuMsPer1000).toBeGreaterThan(0);
      expect(figures.peakRssMb).toBeGreaterThan(10);
      expect(figures.coldStartMs).toBeGreaterThan(0);
      // The pool is reused: a handful of connections for hundreds of answers, never one per answer.
      expect(figures.d24Connections).toBeGreaterThan(0);
      expect(figures.d24Connections).toBeLessThanOrEqual(report.settings.connections + 2);
    }
    expect(Number.isFinite(report.ratios.throughput)).toBe(true);
    expect(report.checks.map((check) => check.name)).toEqual([
      'throughput',
      'cpu',
      'p99 added',
      'peak rss',
      'cold start',
    ]);
    expect(readFileSync(path.join(out, 'bench.svg'), 'utf8')).toMatch(/^<svg [\s\S]*<\/svg>\n$/);
  }, 180_000);
});
