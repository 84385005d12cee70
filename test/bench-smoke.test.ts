import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../bench/report.js';

// A short run of `npm run bench` (build, sandbox, both targets, cold start), so the benchmark cannot rot.
const root = path.resolve(import.meta.dirname, '..');
const out = mkdtempSync(path.join(os.tmpdir(), 'd24-bench-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run bench -- --smoke', () => {
  it('drives the floor, the client proxy and the service to answers without errors and reports every figure', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', out],
      { cwd: root, timeout: 150_000 },
    );
    expect(stdout).toContain('× floor');
    const report = JSON.parse(readFileSync(path.join(out, 'bench.json'), 'utf8')) as BenchReport;
    expect(report.targets.map((target) => target.name)).toEqual(['floor', 'client', 'service', 'ledger-off']);
    for (const { figures, vsFloor } of report.targets) {
      expect(figures.requestsPerSecond).toBeGreaterThan(0);
      expect(figures.errors).toBe(0);
      expect(figures.cpuMsPer1000).toBeGreaterThan(0);
      expect(figures.peakRssMb).toBeGreaterThan(10);
      expect(figures.coldStartMs).toBeGreaterThan(0);
      // The pool is reused: a handful of connections for hundreds of answers, never one per answer.
      expect(figures.d24Connections).toBeGreaterThan(0);
      expect(figures.d24Connections).toBeLessThanOrEqual(report.settings.connections + 2);
      // Every ratio is taken against the floor, and is a number.
      for (const ratio of Object.values(vsFloor)) expect(Number.isFinite(ratio)).toBe(true);
    }
    expect(report.targets[0]?.vsFloor.cpuPer1000).toBe(1);
    // The floor is the true floor: its bundle holds none of the project's code (only bench/ and dependencies).
    const floorSources = (
      JSON.parse(readFileSync(path.join(root, 'dist-bench/floor.cjs.map'), 'utf8')) as { sources: string[] }
    ).sources;
    expect(floorSources.filter((source) => !source.includes('node_modules/')).sort()).toEqual([
      '../bench/floor-call.ts',
      '../bench/floor.ts',
      '../bench/proxy.ts',
    ]);
    // The client row runs the project's D24 client.
    const clientSources = (
      JSON.parse(readFileSync(path.join(root, 'dist-bench/client-proxy.cjs.map'), 'utf8')) as {
        sources: string[];
      }
    ).sources;
    expect(clientSources).toContain('../src/d24/transport.ts');
    // The ledger's own row: the same service with its ledger off, in the same rounds.
    expect(report.ledger?.off.requestsPerSecond).toBeGreaterThan(0);
    expect(report.ledger?.off.errors).toBe(0);
    expect(Number.isFinite(report.ledger?.throughput)).toBe(true);
    // Paired per round: one pair per round, each a number.
    expect(report.ledger?.perRound.cpuPer1000).toHaveLength(report.settings.rounds);
    expect(report.ledger?.perRound.throughput.every(Number.isFinite)).toBe(true);
    expect(stdout).toContain('ledger (SQLite file) on vs off');
    expect(report.bulk?.bulk.wallMs).toBeGreaterThan(0);
    expect(report.bulk?.singlesInALoop.wallMs).toBeGreaterThan(0);
    expect(stdout).toContain('holdCashouts, one request');
    expect(report.checks.map((check) => check.name)).toEqual([
      'throughput',
      'cpu',
      'p99 added',
      'peak rss',
      'cold start',
      'client cpu',
    ]);
    expect(readFileSync(path.join(out, 'bench.svg'), 'utf8')).toMatch(/^<svg [\s\S]*<\/svg>\n$/);
  }, 180_000);

  // The bench built dist/ and stopped the service several times: the code cache must be there, and used.
  it('npm start (dist/start.cjs) runs the bundle from the V8 code cache the last stop wrote, GraphiQL included', async () => {
    expect(readdirSync(path.join(root, 'dist')).filter((file) => file.endsWith('.v8cache'))).toHaveLength(1);
    const child = spawn(process.execPath, ['dist/start.cjs'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        NODE_ENV: 'production',
        GRAPHIQL: 'true',
        CODE_CACHE_REPORT: 'true',
      },
    });
    try {
      let stderr = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk) => {
          stdout += chunk;
          const found = /"url":"(http:[^"]+)"/.exec(stdout);
          if (found) resolve(found[1] as string);
        });
        child.once('exit', () => reject(new Error(`exited before listening: ${stderr}`)));
      });
      expect(stderr).toContain('code cache: used');
      const answer = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ cashout(cashoutId: "1008") { __typename } }' }),
      });
      expect(await answer.json()).toEqual({ data: { cashout: { __typename: 'Cashout' } } });
      const page = await fetch(`${url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await page.text()).toMatch(/<!doctype html>[\s\S]*GraphiQL/i);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 30_000);
});
