import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Sandbox } from '../../src/sandbox/index.js';
import { PROJECT_ROOT } from '../../src/version.js';
import { freePort } from './http.js';
import { TEST_SECRET } from './tokens.js';

/** `src/main.ts` under tsx in a child process of its own, as `npm start` runs it, with exactly `env`. */
export function spawnMain(env: NodeJS.ProcessEnv, stdio: StdioOptions): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: PROJECT_ROOT, env, stdio });
}

/** The variables that point a service at `sandbox` as its D24. */
export function sandboxEnv(sandbox: Sandbox): Record<string, string> {
  return {
    D24_BASE_URL: sandbox.url,
    D24_LOGIN: sandbox.credentials.login,
    D24_PASS: sandbox.credentials.pass,
    D24_SECRET_KEY: sandbox.credentials.secretKey,
  };
}

/** `src/main.ts` in production mode, its JSON log lines as they arrive, and its exit. */
export interface Main {
  child: ChildProcess;
  url: string;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
  /** Resolves once a log line whose msg starts with `prefix` has arrived. */
  logged(prefix: string): Promise<void>;
}

/**
 * `npm start`'s entry point as a real process in production mode (JSON logs on stdout) on D24 `sandbox`, on a port
 * of its own choosing; resolves once it logs the URL it listens on. `env` adds to the environment or overrides it.
 */
export async function startMain(
  sandbox: Sandbox,
  env: Record<string, string>,
  options: { stderr?: 'inherit' | 'pipe' } = {},
): Promise<Main> {
  const child = spawnMain(
    { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0', ...sandboxEnv(sandbox), ...env },
    ['ignore', 'pipe', options.stderr ?? 'inherit'],
  );
  const lines: Record<string, unknown>[] = [];
  const waiting: { prefix: string; resolve: () => void }[] = [];
  const logged = (prefix: string) =>
    new Promise<void>((resolve) => {
      if (lines.some((line) => String(line.msg).startsWith(prefix))) resolve();
      else waiting.push({ prefix, resolve });
    });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      for (const w of waiting) if (String(entry.msg).startsWith(w.prefix)) w.resolve();
      if (typeof entry.url === 'string') resolve(entry.url);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening`)));
  });
  return { child, url, lines, exited, logged };
}

/** A service replica in a child process of its own, as a deployment runs it (`src/main.ts` under tsx). */
export interface Replica {
  name: string;
  url: string;
  child: ChildProcess;
  /** Everything it wrote (its logs), for a failure's message. */
  output(): string;
  /** SIGKILL: no drain, no goodbye, as a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/** Starts `src/main.ts` with `env` on a free port and waits until /health answers (or the child exits). */
export async function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const child = spawnMain(
    { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    ['ignore', 'pipe', 'pipe'],
  );
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`replica ${name} exited at start:\n${output}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name,
    url,
    child,
    output: () => output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A replica's environment: D24 is `sandbox`, bearer JWTs with TEST_SECRET, the shared PostgreSQL and Redis. */
export function replicaEnv(
  sandbox: Sandbox,
  shared: { databaseUrl: string; redisUrl: string; prefix: string },
): Record<string, string> {
  return {
    ...sandboxEnv(sandbox),
    AUTH_JWT_SECRET: TEST_SECRET,
    DATABASE_URL: shared.databaseUrl,
    REDIS_URL: shared.redisUrl,
    REDIS_KEY_PREFIX: shared.prefix,
  };
}
