import { type ChildProcess, spawn } from 'node:child_process';
import type { Sandbox } from '../../src/sandbox/index.js';
import { PROJECT_ROOT } from '../../src/version.js';
import { freePort } from './net.js';
import { TEST_SECRET } from './tokens.js';

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
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    D24_BASE_URL: sandbox.url,
    D24_LOGIN: sandbox.credentials.login,
    D24_PASS: sandbox.credentials.pass,
    D24_SECRET_KEY: sandbox.credentials.secretKey,
    AUTH_JWT_SECRET: TEST_SECRET,
    DATABASE_URL: shared.databaseUrl,
    REDIS_URL: shared.redisUrl,
    REDIS_KEY_PREFIX: shared.prefix,
  };
}
