import { createHmac } from 'node:crypto';
import { Client } from 'undici';
import { afterEach, beforeEach, expect } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startSandbox } from '../../src/sandbox/index.js';

/** The sandbox's documented credentials, written out here rather than read from src/sandbox on purpose. */
export const KEY = 'sandbox_secret_key';
export const AUTH = { login: 'sandbox_login', pass: 'sandbox_pass' };
export const PATHS = {
  cancel: ['DELETE', '/v3/cashout/cancel'],
  update: ['PUT', '/v3/cashout/status'],
  status: ['POST', '/v3/cashout/status'],
  create: ['POST', '/v3/cashout'],
} as const;
export type Endpoint = keyof typeof PATHS;

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** The sandbox and a client to it, fresh for each test of a file that calls `useSandbox()`. */
export let sandbox: Sandbox;
export let client: Client;

export function useSandbox(): void {
  beforeEach(async () => {
    sandbox = await startSandbox();
    client = new Client(sandbox.url);
  });

  afterEach(async () => {
    await client.destroy();
    await sandbox.close();
  });
}

/** Independent of src/d24/sign.ts on purpose. */
export function hmac(body: string, key = KEY): string {
  return createHmac('sha256', key).update(body).digest('hex');
}

export async function send(
  method: string,
  path: string,
  body: string,
  headers: Record<string, string> = { 'payload-signature': hmac(body) },
  via: Client = client,
  signal?: AbortSignal,
): Promise<Reply> {
  const res = await via.request({
    method: method as 'POST',
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** A signed call with the right credentials plus `fields`. */
export function call(
  endpoint: Endpoint,
  fields: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Reply> {
  const [method, path] = PATHS[endpoint];
  const body = JSON.stringify({ ...AUTH, ...fields });
  return send(method, path, body, undefined, client, signal);
}

export function json(reply: Reply): unknown {
  return JSON.parse(reply.text);
}

export function expectError(reply: Reply, status: number, code: number): void {
  expect({ status: reply.status, code: (json(reply) as { code: number }).code }).toEqual({ status, code });
}
