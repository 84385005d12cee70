import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import { SignJWT } from 'jose';
import type { SandboxCommand, SandboxHello, SandboxReply } from './sandbox-process.js';

// Child processes and plain HTTP for the benchmarks (`bench/run.ts`, `bench/distinct-documents.ts`).

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One HTTP request on a fresh connection (no agent), for probes and the cold-start loop. */
export function http(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

export async function until<T>(
  attempt: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const value = await attempt().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited(child);
  clearTimeout(timer);
}

// --- the sandbox, in its own process --------------------------------------------------------------------------
export interface SandboxHandle {
  hello: SandboxHello;
  ask(message: SandboxCommand): Promise<SandboxReply>;
  child: ChildProcess;
}

/** The bundled sandbox (`dist-bench/sandbox-process.cjs`) in its own process; `children` collects it for clean-up. */
export async function startSandboxProcess(
  buildDir: string,
  children: ChildProcess[],
): Promise<SandboxHandle> {
  const child = fork(path.join(buildDir, 'sandbox-process.cjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  let nextId = 1;
  const pending = new Map<number, (reply: SandboxReply) => void>();
  const hello = await new Promise<SandboxHello>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sandbox exited (${code})`)));
    child.on('message', (message: SandboxHello | SandboxReply) => {
      if ('type' in message) resolve(message);
      else pending.get(message.id)?.(message);
    });
  });
  return {
    hello,
    child,
    ask: (message) =>
      new Promise((resolve) => {
        const id = nextId++;
        pending.set(id, (reply) => {
          pending.delete(id);
          resolve(reply);
        });
        child.send({ ...message, id });
      }),
  };
}

/** A fresh HS256 secret for the service under test, and a token for it with every scope. */
export async function benchToken(): Promise<{ secret: string; token: string }> {
  const secret = randomBytes(32).toString('base64url');
  const token = await new SignJWT({ scope: 'cashouts:read cashouts:cancel cashouts:hold cashouts:release' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
  return { secret, token };
}
