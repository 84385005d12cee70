import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { SignJWT } from 'jose';
import type { SandboxCommand, SandboxHello, SandboxReply } from './sandbox-process.js';

// Child processes for the benchmarks (`bench/run.ts`, `bench/distinct-documents.ts`).

export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Runs a tool's `main`: an error is printed and fails the exit code; whatever `children` still run is killed. */
export async function runTool(
  main: () => Promise<void>,
  children: ChildProcess[],
  cleanUp: () => void = () => {},
): Promise<void> {
  try {
    await main();
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    cleanUp();
  }
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
