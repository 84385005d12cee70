import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';
import { createYogaServer } from '../src/server/http/create-yoga.js';
import { exampleDocument } from '../src/server/http/examples.js';

// `npm start` = scripts/start.mjs: scripts/build-if-stale.mjs, then dist/start.cjs. Run in a copy of the project (the files a fresh
// clone has, node_modules linked), so the worktree's own dist/ is not touched.
const root = path.resolve(import.meta.dirname, '..');
const copy = mkdtempSync(path.join(os.tmpdir(), 'd24-start-test-'));
const COPIED = [
  'src',
  'scripts',
  'schema',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];

const buildIfStale = async (...args: string[]) =>
  (
    await promisify(execFile)(process.execPath, ['scripts/build-if-stale.mjs', ...args], {
      cwd: copy,
      timeout: 170_000,
    })
  ).stderr.trim();
const bundleWritten = () => statSync(path.join(copy, 'dist/main.cjs')).mtimeMs;

let started: ChildProcess | undefined;

/** Starts the copy in production (its embedded sandbox): the URL it listens at, and what it wrote to stderr. */
async function startProduction(args: string[]) {
  const child = spawn(process.execPath, args, {
    cwd: copy,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started = child;
  let said = '';
  child.stderr?.on('data', (chunk) => {
    said += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as { url?: unknown };
      if (typeof entry.url === 'string') resolve(entry.url);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening`)));
  });
  return { child, url, exited, said: () => said };
}

beforeAll(() => {
  for (const name of COPIED) cpSync(path.join(root, name), path.join(copy, name), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
});
afterAll(() => {
  started?.kill('SIGKILL');
  rmSync(copy, { recursive: true, force: true });
});

describe('npm start builds only what is stale', () => {
  it('builds on the first start, not on the next; a change under src/ or package.json makes it due again', async () => {
    expect(await buildIfStale()).toMatch(/^building: dist\/start\.cjs, dist\/main\.cjs missing/);
    const built = bundleWritten();

    expect(await buildIfStale()).toBe('dist/ is up to date: not building');
    expect(bundleWritten()).toBe(built);

    // `npm start` with an up-to-date dist/ starts it without building: the service answers /health.
    const { child, url, said } = await startProduction(['scripts/start.mjs']);
    expect((await fetch(new URL('/health', url))).status).toBe(200);
    expect(said()).toContain('dist/ is up to date: not building');
    expect(bundleWritten()).toBe(built);
    child.kill('SIGTERM');

    writeFileSync(path.join(copy, 'src/version.ts'), '\n// changed\n', { flag: 'a' });
    expect(await buildIfStale('--dry-run')).toBe('stale: sources changed since the last build');
    writeFileSync(path.join(copy, 'package.json'), '\n', { flag: 'a' });
    expect(await buildIfStale('--dry-run')).toBe('stale: sources changed since the last build');
    rmSync(path.join(copy, 'dist/main.cjs'));
    expect(await buildIfStale('--dry-run')).toBe('stale: dist/main.cjs missing');
  }, 180_000);
});

// What a cold start does not load (docs/performance.md#cold-start): each was milliseconds of every start.
describe('a production start loads only what it uses', () => {
  it("Yoga's Request is not Node's, as src/server/http/create-yoga.ts tells the adapter instead of asking", () => {
    expect(createYogaServer({ schema }).fetchAPI.Request).not.toBe(globalThis.Request);
  });

  it("answers a mutation without Node's built-in fetch, ioredis (no REDIS_URL) or pg (no PostgreSQL)", async () => {
    await buildIfStale();
    const { child, url, exited, said } = await startProduction([
      '--require',
      path.join(root, 'test/support/report-loaded.cjs'),
      'dist/start.cjs',
    ]);
    // A D24 call through the client's Pool: the sandbox answers that it has no such cashout.
    const answer = await fetch(new URL('/graphql', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: exampleDocument('holdCashout'),
        variables: { input: { cashoutId: '999999' } },
      }),
    });
    expect(await answer.text()).toContain('"__typename":"CashoutNotFoundError"');
    child.kill('SIGTERM');
    await exited;
    const loaded = JSON.parse(/^LOADED (.*)$/m.exec(said())?.[1] ?? 'null') as {
      packages: string[];
      builtinFetch: boolean;
    };
    expect(loaded.builtinFetch).toBe(false);
    // The externals a production start needs: the SQLite addon (and its loader). Nothing else.
    expect(loaded.packages).toEqual(['better-sqlite3', 'bindings', 'file-uri-to-path']);
  }, 180_000);
});
