import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'undici';
import { describe, expect, it } from 'vitest';
import { SANDBOX_CREDENTIALS, SEEDED_CASHOUTS, startSandbox } from '../src/sandbox/index.js';
import {
  AUTH,
  call,
  client,
  type Endpoint,
  expectError,
  hmac,
  json,
  KEY,
  sandbox,
  send,
  useSandbox,
} from './support/sandbox-wire.js';

// Start-up and the checks every call passes, in D24 order: method, body, signature, credentials.

useSandbox();

describe('start-up', () => {
  it('listens on loopback with the documented credentials and the seeded cashouts', () => {
    expect(sandbox.url).toBe(`http://127.0.0.1:${sandbox.port}`);
    expect(sandbox.port).toBeGreaterThan(0);
    expect(sandbox.credentials).toEqual({ ...AUTH, secretKey: KEY });
    expect(SANDBOX_CREDENTIALS).toEqual({ ...AUTH, secretKey: KEY });
    expect(SEEDED_CASHOUTS.map((c) => [c.cashoutId, c.status])).toEqual([
      [1001, 'PENDING'],
      [1002, 'PENDING'],
      [1003, 'PENDING'],
      [1004, 'ON_HOLD'],
      [1005, 'ON_HOLD'],
      [1006, 'DELIVERED'],
      [1007, 'COMPLETED'],
      [1008, 'REJECTED'],
      [1009, 'CANCELLED'],
    ]);
    for (const seeded of SEEDED_CASHOUTS) expect(sandbox.get(seeded.cashoutId)).toEqual(seeded);
  });

  it('starts empty with seed: false', async () => {
    const empty = await startSandbox({ seed: false });
    try {
      expect(empty.get(1001)).toBeUndefined();
      expect(empty.create().cashoutId).toBe(100000);
    } finally {
      await empty.close();
    }
  });
});

describe('checks, in D24 order', () => {
  it.each([
    ['GET', '/v3/cashout/status'],
    ['POST', '/v3/cashouts'],
    ['PUT', '/v3/cashout/cancel'],
  ])('answers 404 for %s %s, before looking at the signature', async (method, path) => {
    const reply = await send(method, path, '{}', {});
    expect(reply.status).toBe(404);
    expect(json(reply)).toEqual({ code: 404, message: 'Not found' });
  });

  it('refuses a body over 64 KiB with 413/502 before the signature, and closes the connection', async () => {
    const body = JSON.stringify({ ...AUTH, cashout_id: 1001, padding: 'x'.repeat(70_000) });
    const reply = await send('POST', '/v3/cashout/status', body, {});
    expect(reply.status).toBe(413);
    expect(json(reply)).toEqual({ code: 502, message: 'Invalid request body' });
    expect(reply.headers.connection).toBe('close');
  });

  it('stops reading a chunked body at 64 KiB', async () => {
    const big = Buffer.from(JSON.stringify({ ...AUTH, padding: 'x'.repeat(100_000) }));
    const res = await client.request({
      method: 'POST',
      path: '/v3/cashout/status',
      body: Readable.from([big.subarray(0, 40_000), big.subarray(40_000)]),
    });
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect({ status: res.statusCode, body: await res.body.json() }).toEqual({
      status: 413,
      body: { code: 502, message: 'Invalid request body' },
    });
    expect(sandbox.requests[0]?.rawBody.length).toBeLessThanOrEqual(64 * 1024);
  });

  it('accepts a body of exactly 64 KiB', async () => {
    const base = JSON.stringify({ ...AUTH, cashout_id: 1001, padding: '' });
    const body = base.replace('"padding":""', `"padding":"${'x'.repeat(64 * 1024 - base.length)}"`);
    expect(Buffer.byteLength(body)).toBe(64 * 1024);
    expect((await send('POST', '/v3/cashout/status', body)).status).toBe(200);
  });

  it.each<[string, (body: string) => Record<string, string>]>([
    ['missing', () => ({})],
    ['empty', () => ({ 'payload-signature': '' })],
    ['signed with another key', (body) => ({ 'payload-signature': hmac(body, 'other_key') })],
    ['upper-case hex', (body) => ({ 'payload-signature': hmac(body).toUpperCase() })],
    ['base64', (body) => ({ 'payload-signature': createHmac('sha256', KEY).update(body).digest('base64') })],
  ])('answers 401/302 to a signature that is %s', async (_label, headers) => {
    const body = JSON.stringify({ ...AUTH, cashout_id: 1001 });
    const reply = await send('POST', '/v3/cashout/status', body, headers(body));
    expect(reply.status).toBe(401);
    expect(json(reply)).toEqual({ code: 302, message: 'Invalid control string' });
  });

  it('signs the exact bytes: the same JSON re-serialised fails', async () => {
    const body = JSON.stringify({ ...AUTH, cashout_id: 1001 });
    const spaced = JSON.stringify(JSON.parse(body), null, 1);
    expectError(
      await send('POST', '/v3/cashout/status', spaced, { 'payload-signature': hmac(body) }),
      401,
      302,
    );
    expect((await send('POST', '/v3/cashout/status', spaced)).status).toBe(200);
  });

  it('checks the signature before parsing', async () => {
    expectError(await send('POST', '/v3/cashout/status', '{not json', {}), 401, 302);
  });

  it.each(['{not json', '', '[]', 'null', '"text"', '42'])(
    'answers 400/502 to the signed body %j',
    async (body) => {
      const reply = await send('POST', '/v3/cashout/status', body);
      expect(reply.status).toBe(400);
      expect(json(reply)).toEqual({ code: 502, message: 'Invalid request body' });
    },
  );

  it.each([
    ['a wrong pass', { login: AUTH.login, pass: 'nope' }],
    ['a wrong login', { login: 'nope', pass: AUTH.pass }],
    ['no login', { pass: AUTH.pass }],
    ['no pass', { login: AUTH.login }],
  ])('answers 401/401 to %s, before checking fields', async (_label, auth) => {
    const body = JSON.stringify({ ...auth, cashout_id: 'not a number' });
    const reply = await send('POST', '/v3/cashout/status', body);
    expect(reply.status).toBe(401);
    expect(json(reply)).toEqual({ code: 401, message: 'Invalid credentials' });
  });

  it.each<[Endpoint, Record<string, unknown>]>([
    ['status', { cashout_id: '1001' }],
    ['status', { cashout_id: 0 }],
    ['status', { cashout_id: -1001 }],
    ['status', { cashout_id: 1001.5 }],
    ['status', { cashout_id: 2 ** 53 }],
    ['status', {}],
    ['status', { external_id: '' }],
    ['status', { external_id: 7 }],
    ['cancel', { cashout_id: 1001 }],
    ['cancel', { external_id: 'seed-pending-1001' }],
    ['cancel', { cashout_id: '1001', external_id: 'seed-pending-1001' }],
    ['update', { status: 'ON_HOLD' }],
    ['update', { cashout_id: '1001', status: 'ON_HOLD' }],
    ['update', { cashout_id: 1001 }],
    ['update', { cashout_id: 1001, status: 5 }],
    ['update', { cashout_id: 1001, status: 'PAUSED' }],
    ['update', { cashout_id: 1001, status: 'on_hold' }],
    ['create', {}],
    ['create', { external_id: 'x', on_hold: 'yes' }],
  ])('answers 400/300 to %s with %j', async (endpoint, fields) => {
    const reply = await call(endpoint, fields);
    expect(reply.status).toBe(400);
    expect(json(reply)).toEqual({ code: 300, message: 'Invalid params' });
  });

  it.each(['CANCELLED', 'COMPLETED', 'DELIVERED', 'REJECTED'])(
    'answers 400/521 to status %s',
    async (status) => {
      const reply = await call('update', { cashout_id: 1001, status });
      expect(reply.status).toBe(400);
      expect(json(reply)).toEqual({ code: 521, message: 'Status not supported for this type of request' });
      expect(sandbox.get(1001)?.status).toBe('PENDING');
    },
  );

  it('accepts the signature vector in docs/d24.md', async () => {
    const other = await startSandbox({
      credentials: { login: 'cashout_login', pass: 'cashout_pass', secretKey: 'cashout_secret_key' },
    });
    const local = new Client(other.url);
    try {
      const body = '{"login":"cashout_login","pass":"cashout_pass","cashout_id":11954}';
      const signature = 'db96878e3d4066e680a1dbebc977546276e1427aefbe14ead1b410a76d45cc60';
      const reply = await send('POST', '/v3/cashout/status', body, { 'payload-signature': signature }, local);
      expectError(reply, 412, 509);
    } finally {
      await local.destroy();
      await other.close();
    }
  });
});
