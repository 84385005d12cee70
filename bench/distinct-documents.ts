import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import { exampleOperations } from '../src/server/http/examples.js';

// The examples whose variables this script can vary: one cashout each.
const EXAMPLE_FIELDS = new Set(['holdCashout', 'releaseCashout', 'cancelCashout', 'cashout']);

import { freePort, requestOnce, untilValue } from '../test/support/http.js';
import { runLoad } from './load.js';
import { memoryMb } from './proc.js';
import { benchToken, runTool, startSandboxProcess, stop } from './processes.js';

// `npx tsx bench/distinct-documents.ts`: does memory stay bounded when one authenticated caller sends thousands of
// distinct valid documents (each parsed, validated, compiled by graphql-jit and kept by the caches)? The service runs
// as `npm start` runs it, against the sandbox in its own process. RSS is sampled during the benchmark's load
// (`npm run bench`'s hold/release mutations, 50 connections): that is the steady state. Then the distinct documents,
// then 10 s idle, then the load again. The service passes when RSS after the documents is within 1.5× the steady state.
const ROOT = path.resolve(import.meta.dirname, '..');
const BUILD = path.join(ROOT, 'dist-bench');
const { values: args } = parseArgs({
  options: {
    documents: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '16' },
    connections: { type: 'string', default: '50' },
    'load-seconds': { type: 'string', default: '10' },
    'idle-seconds': { type: 'string', default: '10' },
    build: { type: 'boolean', default: true },
    /** The start script to run (a variant of dist/start.cjs, to compare V8 flags); default dist/start.cjs. */
    start: { type: 'string', default: 'dist/start.cjs' },
  },
  allowNegative: true,
});
const DOCUMENTS = Number(args.documents);
const children: ChildProcess[] = [];

/** Document `i`: an example operation (every union member selected) under its own name, with variables. */
function distinctDocument(i: number): string {
  const examples = exampleOperations().filter((e) => EXAMPLE_FIELDS.has(e.name));
  const example = examples[i % examples.length] as (typeof examples)[number];
  const query = example.document.replace(/^(query|mutation) (\w+)/m, `$1 $2_${i}`);
  const variables =
    example.field === 'cashout'
      ? { cashoutId: `${1 + (i % 1000)}` }
      : {
          input: {
            cashoutId: `${1 + (i % 1000)}`,
            ...(example.field === 'cancelCashout' && { externalId: `x${i}` }),
          },
        };
  return JSON.stringify({ query, variables });
}

/** RSS of `pid` every 250 ms while `work` runs: the median and the peak, in MB. */
async function sampled<T>(
  pid: number,
  work: Promise<T>,
): Promise<{ result: T; medianMb: number; peakMb: number }> {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(memoryMb(pid).current), 250);
  const result = await work;
  clearInterval(timer);
  samples.push(memoryMb(pid).current);
  samples.sort((a, b) => a - b);
  return {
    result,
    medianMb: samples[Math.floor(samples.length / 2)] as number,
    peakMb: samples.at(-1) as number,
  };
}

/** The service's V8 heap as /metrics reports it: used and committed, in MB (RSS minus these is native memory). */
async function heap(url: string): Promise<string> {
  const text = (await requestOnce(`${url}/metrics`)).body;
  const mb = (name: string) =>
    Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
  const spaces = [...text.matchAll(/^nodejs_heap_space_size_total_bytes\{space="(\w+)"\} (\S+)$/gm)]
    .filter((m) => Number(m[2]) >= 2 ** 20)
    .map((m) => `${m[1]} ${(Number(m[2]) / 2 ** 20).toFixed(0)}`)
    .join(', ');
  return `heap used ${mb('nodejs_heap_size_used_bytes').toFixed(0)} MB of ${mb('nodejs_heap_size_total_bytes').toFixed(0)} MB committed (${spaces}), external ${mb('nodejs_external_memory_bytes').toFixed(0)} MB`;
}

/** What RSS is made of (/proc/<pid>/smaps_rollup): anonymous memory (heap, malloc, code) against mapped files. */
function rollup(pid: number): string {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const mb = (key: string) =>
    (Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) / 1024).toFixed(0);
  return `RSS ${mb('Rss')} MB: anonymous ${mb('Anonymous')}, file-backed ${Number(mb('Rss')) - Number(mb('Anonymous'))}`;
}

async function main(): Promise<void> {
  if (args.build) {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    execFileSync(
      process.execPath,
      ['scripts/bundle.mjs', 'bench/sandbox-process.ts', 'dist-bench/sandbox-process.cjs'],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
  }
  const sandbox = await startSandboxProcess(BUILD, children);
  const { secret, token } = await benchToken();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = spawn(process.execPath, [path.resolve(ROOT, args.start)], {
    env: {
      PATH: process.env.PATH ?? '',
      ...(process.env.MALLOC_ARENA_MAX && { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX }),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      PORT: String(port),
      AUTH_JWT_SECRET: secret,
      RATE_LIMIT_PER_MINUTE: '0',
      D24_BASE_URL: sandbox.hello.url,
      D24_LOGIN: sandbox.hello.credentials.login,
      D24_PASS: sandbox.hello.credentials.pass,
      D24_SECRET_KEY: sandbox.hello.credentials.secretKey,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(service);
  await untilValue(
    async () => ((await requestOnce(`${url}/health`)).status === 200 ? true : undefined),
    15_000,
    '/health',
  );
  const pid = service.pid as number;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const connections = Number(args.connections);
  const load = async (seconds: number) => {
    const ids = (await sandbox.ask({ type: 'create', count: connections })).ids as number[];
    const hold = exampleOperations().find((e) => e.field === 'holdCashout')?.document as string;
    const release = exampleOperations().find((e) => e.field === 'releaseCashout')?.document as string;
    const body = (query: string, id: number) =>
      JSON.stringify({ query, variables: { input: { cashoutId: `${id}` } } });
    return runLoad(
      {
        name: 'service',
        url,
        path: '/graphql',
        headers,
        bodies: (id) => [body(hold, id), body(release, id)],
        isSuccess: (text) => text.includes('"changed":true'),
      },
      ids,
      { connections, seconds },
    );
  };

  const idle = memoryMb(pid).current;
  await load(3); // warm-up: graphql-jit loaded, the hot path taken, V8's heap grown to its working size
  const steady = await sampled(pid, load(Number(args['load-seconds'])));
  console.log(
    `steady state under load: RSS median ${steady.medianMb.toFixed(0)} MB, peak ${steady.peakMb.toFixed(0)} MB (${steady.result.requestsPerSecond.toFixed(0)} req/s)`,
  );
  console.log(`  at steady state: ${rollup(pid)}; ${await heap(url)}`);

  const dispatcher = new Agent({ connections: Number(args.concurrency) });
  let next = 0;
  const failures = new Map<number, number>();
  const worker = async () => {
    while (next < DOCUMENTS) {
      const i = next++;
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers,
        body: distinctDocument(i),
        dispatcher,
      } as RequestInit);
      const text = await response.text();
      if (response.status !== 200 || text.includes('"errors"'))
        failures.set(response.status, (failures.get(response.status) ?? 0) + 1);
    }
  };
  const distinct = await sampled(pid, Promise.all(Array.from({ length: Number(args.concurrency) }, worker)));
  const after = memoryMb(pid).current;
  console.log(
    `${DOCUMENTS} distinct documents (${[...EXAMPLE_FIELDS].join(', ')}): RSS peak ${distinct.peakMb.toFixed(0)} MB, right after ${after.toFixed(0)} MB; answers not 200 + data: ${JSON.stringify(Object.fromEntries(failures))}`,
  );
  await new Promise((resolve) => setTimeout(resolve, Number(args['idle-seconds']) * 1000));
  const afterIdle = memoryMb(pid).current;
  console.log(`after idle: ${rollup(pid)}; ${await heap(url)}`);
  const again = await sampled(pid, load(Number(args['load-seconds'])));
  console.log(`under load again: ${rollup(pid)}; ${await heap(url)}`);
  await dispatcher.close();
  await stop(service);
  await sandbox.ask({ type: 'close' });

  const worst = Math.max(distinct.peakMb, after, afterIdle, again.peakMb);
  const ratio = worst / steady.medianMb;
  console.log(
    `after ${args['idle-seconds']} s idle: ${afterIdle.toFixed(0)} MB; under load again: median ${again.medianMb.toFixed(0)} MB, peak ${again.peakMb.toFixed(0)} MB`,
  );
  console.log(
    `idle at start ${idle.toFixed(0)} MB. Worst RSS after the documents ${worst.toFixed(0)} MB = ${ratio.toFixed(2)}x the steady state (limit 1.5x): ${ratio <= 1.5 ? 'met' : 'NOT MET'}`,
  );
  if (ratio > 1.5 || failures.size > 0) process.exitCode = 1;
}

await runTool(main, children);
