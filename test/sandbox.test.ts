import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CashoutStatus } from '../src/d24/wire.js';
import type { Sandbox } from '../src/sandbox/index.js';
import { SANDBOX_CREDENTIALS, SEEDED_CASHOUTS, startSandbox } from '../src/sandbox/index.js';
import { until } from './support/net.js';

const KEY = 'sandbox_secret_key';
const AUTH = { login: 'sandbox_login', pass: 'sandbox_pass' };
const PATHS = {
  cancel: ['DELETE', '/v3/cashout/cancel'],
  update: ['PUT', '/v3/cashout/status'],
  status: ['POST', '/v3/cashout/status'],
  create: ['POST', '/v3/cashout'],
} as const;
type Endpoint = keyof typeof PATHS;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

let sandbox: Sandbox;
let client: Client;

beforeEach(async () => {
  sandbox = await startSandbox();
  client = new Client(sandbox.url);
});

afterEach(async () => {
  await client.destroy();
  await sandbox.close();
});

/** Independent of src/d24/sign.ts on purpose. */
function hmac(body: string, key = KEY): string {
  return createHmac('sha256', key).update(body).digest('hex');
}

async function send(
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
function call(endpoint: Endpoint, fields: Record<string, unknown>, signal?: AbortSignal): Promise<Reply> {
  const [method, path] = PATHS[endpoint];
  const body = JSON.stringify({ ...AUTH, ...fields });
  return send(method, path, body, undefined, client, signal);
}

function json(reply: Reply): unknown {
  return JSON.parse(reply.text);
}

function expectError(reply: Reply, status: number, code: number): void {
  expect({ status: reply.status, code: (json(reply) as { code: number }).code }).toEqual({ status, code });
}

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

  it("accepts D24.md's own signature vector", async () => {
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

describe('state machine over HTTP', () => {
  it('holds a PENDING cashout and releases it again', async () => {
    const held = await call('update', { cashout_id: 1001, status: 'ON_HOLD' });
    expect(held.status).toBe(200);
    expect(json(held)).toEqual({ cashout_status: 5, cashout_status_description: 'On hold' });
    expect(sandbox.get(1001)?.status).toBe('ON_HOLD');
    const released = await call('update', { cashout_id: 1001, status: 'PENDING' });
    expect(json(released)).toEqual({ cashout_status: 0, cashout_status_description: 'Pending' });
    expect(sandbox.get(1001)?.status).toBe('PENDING');
  });

  it.each<[number, string]>([
    [1004, 'ON_HOLD'],
    [1006, 'ON_HOLD'],
    [1007, 'ON_HOLD'],
    [1008, 'ON_HOLD'],
    [1009, 'ON_HOLD'],
    [1001, 'PENDING'],
    [1006, 'PENDING'],
    [1007, 'PENDING'],
    [1008, 'PENDING'],
    [1009, 'PENDING'],
  ])('refuses to update %i to %s with 400/510', async (cashoutId, status) => {
    const before = sandbox.get(cashoutId);
    const reply = await call('update', { cashout_id: cashoutId, status });
    expect(reply.status).toBe(400);
    expect(json(reply)).toEqual({ code: 510, message: 'Invalid status transition' });
    expect(sandbox.get(cashoutId)).toEqual(before);
  });

  it.each([1001, 1004])('cancels cashout %i', async (cashoutId) => {
    const externalId = sandbox.get(cashoutId)?.externalId;
    const reply = await call('cancel', { cashout_id: cashoutId, external_id: externalId });
    expect(reply.status).toBe(200);
    expect(json(reply)).toEqual({ cashout_status: 2, cashout_status_description: 'Canceled' });
    expect(sandbox.get(cashoutId)?.status).toBe('CANCELLED');
  });

  it.each([1006, 1007, 1008, 1009])('refuses to cancel %i with 412/510', async (cashoutId) => {
    const before = sandbox.get(cashoutId);
    const reply = await call('cancel', { cashout_id: cashoutId, external_id: before?.externalId });
    expectError(reply, 412, 510);
    expect(sandbox.get(cashoutId)).toEqual(before);
  });

  it.each<[string, Endpoint, Record<string, unknown>]>([
    ['an unknown id', 'update', { cashout_id: 999999, status: 'ON_HOLD' }],
    ['an unknown id', 'cancel', { cashout_id: 999999, external_id: 'x' }],
    ["another cashout's external_id", 'cancel', { cashout_id: 1001, external_id: 'seed-pending-1002' }],
  ])('answers 412/509 to %s on %s', async (_label, endpoint, fields) => {
    const reply = await call(endpoint, fields);
    expect(json(reply)).toEqual({ code: 509, message: 'Cashout not found with this ID' });
    expect(reply.status).toBe(412);
    expect(sandbox.get(1001)?.status).toBe('PENDING');
    expect(sandbox.get(1002)?.status).toBe('PENDING');
  });
});

describe('status', () => {
  it.each<[Record<string, unknown>, Record<string, unknown>]>([
    [{ cashout_id: 1001 }, { cashout_status: 0, cashout_status_description: 'Pending' }],
    [{ external_id: 'seed-on-hold-1004' }, { cashout_status: 5, cashout_status_description: 'On hold' }],
    [
      { cashout_id: 1006, external_id: 'seed-delivered-1006' },
      { cashout_status: 4, cashout_status_description: 'Delivered', bank_reference_id: 'BR-1006' },
    ],
    [
      { cashout_id: 1007 },
      { cashout_status: 1, cashout_status_description: 'Completed', bank_reference_id: 'BR-1007' },
    ],
    [
      { external_id: 'seed-rejected-1008' },
      {
        cashout_status: 3,
        cashout_status_description: 'Rejected',
        rejection_code: 800,
        rejection_reason: 'ERROR_ACCOUNT_INCORRECT',
        bank_reference_id: 'BR-1008',
      },
    ],
    [{ cashout_id: 1009 }, { cashout_status: 2, cashout_status_description: 'Canceled' }],
  ])('answers %j with %j', async (fields, expected) => {
    const reply = await call('status', fields);
    expect(reply.status).toBe(200);
    expect(json(reply)).toEqual(expected);
  });

  it.each([
    { cashout_id: 1001, external_id: 'seed-pending-1002' },
    { cashout_id: 999999, external_id: 'seed-pending-1002' },
    { cashout_id: 1001, external_id: 'nobody' },
    { cashout_id: 999999 },
    { external_id: 'nobody' },
  ])('answers 412/509 to %j', async (fields) => {
    expectError(await call('status', fields), 412, 509);
  });
});

describe('create', () => {
  it('creates PENDING cashouts with string ids from 100000, ignoring other fields', async () => {
    const first = await call('create', { external_id: 'order-1', amount: 100, country: 'BR' });
    expect(first.status).toBe(200);
    expect(json(first)).toEqual({ cashout_id: '100000' });
    expect(json(await call('create', { external_id: 'order-2' }))).toEqual({ cashout_id: '100001' });
    expect(sandbox.get(100000)).toEqual({ cashoutId: 100000, externalId: 'order-1', status: 'PENDING' });
    expect(json(await call('status', { external_id: 'order-2' }))).toEqual({
      cashout_status: 0,
      cashout_status_description: 'Pending',
    });
  });

  it('creates ON_HOLD with on_hold: true', async () => {
    await call('create', { external_id: 'order-h', on_hold: true });
    expect(sandbox.findByExternalId('order-h')?.status).toBe('ON_HOLD');
  });

  it.each(['order-1', 'seed-pending-1001'])(
    'refuses a used external_id (%s) with 400/511',
    async (externalId) => {
      await call('create', { external_id: 'order-1' });
      const reply = await call('create', { external_id: externalId });
      expect(reply.status).toBe(400);
      expect(json(reply)).toEqual({ code: 511, message: 'External ID already used' });
      expect(sandbox.get(100001)).toBeUndefined();
    },
  );
});

describe('direct API', () => {
  it('creates with defaults, increasing ids and copies', () => {
    const first = sandbox.create();
    expect(first).toEqual({ cashoutId: 100000, externalId: 'ext-100000', status: 'PENDING' });
    expect(sandbox.create({ externalId: 'mine', status: 'ON_HOLD' })).toEqual({
      cashoutId: 100001,
      externalId: 'mine',
      status: 'ON_HOLD',
    });
    first.status = 'CANCELLED';
    const copy = sandbox.get(100000);
    if (copy) copy.status = 'COMPLETED';
    expect(sandbox.get(100000)?.status).toBe('PENDING');
    expect(sandbox.findByExternalId('mine')?.cashoutId).toBe(100001);
    expect(sandbox.findByExternalId('nobody')).toBeUndefined();
  });

  it('creates a REJECTED cashout with its rejection, default 808', () => {
    const given = sandbox.create({ status: 'REJECTED', rejection: { code: 811, reason: 'RISK_POLICY' } });
    expect(given.rejection).toEqual({ code: 811, reason: 'RISK_POLICY' });
    expect(sandbox.create({ status: 'REJECTED' }).rejection).toEqual({ code: 808, reason: 'ERROR_OTHER' });
  });

  it('refuses a used external id and a rejection on a non-rejected cashout', () => {
    expect(() => sandbox.create({ externalId: 'seed-pending-1001' })).toThrow(/already used/);
    expect(() => sandbox.create({ rejection: { code: 800, reason: 'X' } })).toThrow(/REJECTED/);
  });

  it('advances along D24 moves', async () => {
    const { cashoutId } = sandbox.create();
    expect(sandbox.advance(cashoutId, 'DELIVERED')).toMatchObject({
      status: 'DELIVERED',
      bankReferenceId: `BR-${cashoutId}`,
    });
    expect(json(await call('status', { cashout_id: cashoutId }))).toEqual({
      cashout_status: 4,
      cashout_status_description: 'Delivered',
      bank_reference_id: `BR-${cashoutId}`,
    });
    expect(sandbox.advance(cashoutId, 'COMPLETED').status).toBe('COMPLETED');
    expect(sandbox.advance(cashoutId, 'REJECTED').rejection).toEqual({ code: 808, reason: 'ERROR_OTHER' });
    expect(sandbox.advance(1006, 'REJECTED', { code: 826, reason: 'WITHDRAWAL_REVERSED' })).toMatchObject({
      status: 'REJECTED',
      rejection: { code: 826, reason: 'WITHDRAWAL_REVERSED' },
    });
  });

  it.each<[number, CashoutStatus]>([
    [1001, 'COMPLETED'],
    [1001, 'REJECTED'],
    [1004, 'DELIVERED'],
    [1006, 'DELIVERED'],
    [1007, 'COMPLETED'],
    [1007, 'DELIVERED'],
    [1008, 'COMPLETED'],
    [1009, 'DELIVERED'],
    [999999, 'DELIVERED'],
  ])('refuses to advance %i to %s', (cashoutId, to) => {
    const before = sandbox.get(cashoutId);
    expect(() => sandbox.advance(cashoutId, to as 'DELIVERED')).toThrow();
    expect(sandbox.get(cashoutId)).toEqual(before);
  });
});

describe('faults', () => {
  const cancel1001 = (signal?: AbortSignal) =>
    call('cancel', { cashout_id: 1001, external_id: 'seed-pending-1001' }, signal);

  it.each([
    [{ kind: 'delay', ms: 300 }, 'CANCELLED'],
    [{ kind: 'delay', ms: 300, apply: false }, 'PENDING'],
  ] as const)('%j answers normally after the delay, leaving 1001 %s', async (fault, after) => {
    sandbox.faults.next(fault);
    const started = performance.now();
    const reply = await cancel1001();
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect(json(reply)).toEqual({ cashout_status: 2, cashout_status_description: 'Canceled' });
    expect(sandbox.get(1001)?.status).toBe(after);
    // Used up: the next request meets the fault queued after it (FIFO), not the delay again.
    sandbox.faults.next({ kind: 'http5xx', status: 502 });
    expect((await call('status', { cashout_id: 1001 })).status).toBe(502);
  });

  it.each([
    [{ kind: 'hang' }, 'PENDING'],
    [{ kind: 'hang', apply: true }, 'CANCELLED'],
  ] as const)('%j never answers, leaving 1001 %s', async (fault, after) => {
    sandbox.faults.next(fault);
    const started = performance.now();
    await expect(cancel1001(AbortSignal.timeout(300))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    expect(sandbox.get(1001)?.status).toBe(after);
    expect(sandbox.requests).toHaveLength(1);
  });

  it.each([
    [{ kind: 'reset' }, 'PENDING'],
    [{ kind: 'reset', apply: true }, 'CANCELLED'],
  ] as const)('%j resets the connection, leaving 1001 %s', async (fault, after) => {
    sandbox.faults.next(fault);
    await expect(cancel1001()).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(sandbox.get(1001)?.status).toBe(after);
  });

  it.each([
    [{ kind: 'http5xx' }, 503, 'PENDING'],
    [{ kind: 'http5xx', status: 502, apply: true }, 502, 'CANCELLED'],
  ] as const)('%j answers an HTML %i, leaving 1001 %s', async (fault, status, after) => {
    sandbox.faults.next(fault);
    const reply = await cancel1001();
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe('text/html');
    expect(reply.text).toContain(`<title>${status} `);
    expect(() => json(reply)).toThrow(SyntaxError);
    expect(sandbox.get(1001)?.status).toBe(after);
  });

  it.each([
    [{ kind: 'malformed' }, 'CANCELLED'],
    [{ kind: 'malformed', apply: false }, 'PENDING'],
  ] as const)('%j answers 200 JSON that does not parse, leaving 1001 %s', async (fault, after) => {
    sandbox.faults.next(fault);
    const reply = await cancel1001();
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.text.length).toBeGreaterThan(0);
    expect(() => json(reply)).toThrow(SyntaxError);
    expect(sandbox.get(1001)?.status).toBe(after);
  });

  it('slowBody sends the headers at once and trickles the body', async () => {
    sandbox.faults.next({ kind: 'slowBody', ms: 400 });
    const [method, path] = PATHS.cancel;
    const body = JSON.stringify({ ...AUTH, cashout_id: 1001, external_id: 'seed-pending-1001' });
    const started = performance.now();
    const res = await client.request({ method, path, headers: { 'payload-signature': hmac(body) }, body });
    const pieces: number[] = [];
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) {
      pieces.push(performance.now() - started);
      chunks.push(chunk as Buffer);
    }
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.at(-1)).toBeGreaterThanOrEqual(395);
    expect(JSON.parse(Buffer.concat(chunks).toString())).toEqual({
      cashout_status: 2,
      cashout_status_description: 'Canceled',
    });
    expect(sandbox.get(1001)?.status).toBe('CANCELLED');
  });

  it.each([
    [{ kind: 'code', code: 702 }, 400, { code: 702, message: 'Could not cancel cashout' }, 'PENDING'],
    [
      { kind: 'code', code: 555, httpStatus: 500, message: 'Boom', apply: true },
      500,
      { code: 555, message: 'Boom' },
      'CANCELLED',
    ],
  ] as const)('%j answers a coded error, leaving 1001 %s', async (fault, status, body, after) => {
    sandbox.faults.next(fault);
    const reply = await cancel1001();
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(json(reply)).toEqual(body);
    expect(sandbox.get(1001)?.status).toBe(after);
  });

  it.each([
    [
      { kind: 'respond', body: '{"cashout_status":4,"cashout_status_description":"Delivered"}' },
      200,
      'application/json',
      'PENDING',
    ],
    [
      { kind: 'respond', body: 'nope', httpStatus: 418, contentType: 'text/plain', apply: true },
      418,
      'text/plain',
      'CANCELLED',
    ],
  ] as const)('%j answers exactly that (%i %s), leaving 1001 %s', async (fault, status, type, after) => {
    sandbox.faults.next(fault);
    const reply = await cancel1001();
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe(type);
    expect(reply.text).toBe(fault.body);
    expect(sandbox.get(1001)?.status).toBe(after);
  });

  it('next(fault, count) hits that many requests, queued in order', async () => {
    sandbox.faults.next({ kind: 'code', code: 702 }, 2);
    sandbox.faults.next({ kind: 'http5xx' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('status', { cashout_id: 1001 })).status);
    expect(statuses).toEqual([400, 400, 503, 200]);
    expect(() => sandbox.faults.next({ kind: 'hang' }, 0)).toThrow(RangeError);
  });

  it('spares requests that fail the checks', async () => {
    sandbox.faults.next({ kind: 'code', code: 702 });
    expectError(await send('POST', '/v3/cashout/status', '{}', {}), 401, 302);
    expectError(await call('status', { cashout_id: 'x' }), 400, 300);
    expectError(await call('status', { cashout_id: 1001 }), 400, 702);
  });

  it('forCashout hits only that cashout, before next(), and runs out after `times`', async () => {
    sandbox.faults.next({ kind: 'code', code: 702 });
    sandbox.faults.forCashout(1002, { kind: 'http5xx' }, 1);
    expect((await call('status', { cashout_id: 1002 })).status).toBe(503);
    expect((await call('status', { cashout_id: 1002 })).status).toBe(400);
    expect((await call('status', { cashout_id: 1002 })).status).toBe(200);
  });

  it('forCashout lasts until cleared and finds a cashout by external_id', async () => {
    sandbox.faults.forCashout(1003, { kind: 'code', code: 702 });
    for (let i = 0; i < 3; i++)
      expectError(await call('status', { external_id: 'seed-pending-1003' }), 400, 702);
    expect((await call('status', { cashout_id: 1001 })).status).toBe(200);
    sandbox.faults.clear();
    expect((await call('status', { cashout_id: 1003 })).status).toBe(200);
  });

  it('create suffers next() faults; apply false creates nothing', async () => {
    sandbox.faults.next({ kind: 'code', code: 703, httpStatus: 500 });
    expectError(await call('create', { external_id: 'order-1' }), 500, 703);
    expect(sandbox.findByExternalId('order-1')).toBeUndefined();
    expect(json(await call('create', { external_id: 'order-1' }))).toEqual({ cashout_id: '100000' });
  });
});

describe('server', () => {
  it('logs every request with its exact raw body, oldest first', async () => {
    const body = `{ "login" : "${AUTH.login}", "pass":"${AUTH.pass}",\n"cashout_id":1001, "note":"ñ ✓" }`;
    await send('POST', '/v3/cashout/status?x=1', body);
    await send('GET', '/nowhere', 'not json', {});
    const [first, second] = sandbox.requests;
    expect(sandbox.requests).toHaveLength(2);
    expect(first).toMatchObject({ method: 'POST', path: '/v3/cashout/status?x=1', rawBody: body });
    expect(first?.headers['payload-signature']).toBe(hmac(body));
    expect(first?.receivedAt).toBeGreaterThan(Date.now() - 5_000);
    expect(second).toMatchObject({ method: 'GET', path: '/nowhere', rawBody: 'not json' });
    sandbox.clearRequests();
    expect(sandbox.requests).toEqual([]);
  });

  it('keeps only the last requestLogSize requests', async () => {
    const small = await startSandbox({ requestLogSize: 3 });
    const local = new Client(small.url);
    try {
      for (let i = 1; i <= 5; i++) await send('POST', '/v3/cashout/status', `{"n":${i}}`, {}, local);
      expect(small.requests.map((r) => r.rawBody)).toEqual(['{"n":3}', '{"n":4}', '{"n":5}']);
    } finally {
      await local.destroy();
      await small.close();
    }
  });

  it('answers JSON with an exact content-length and keeps connections alive', async () => {
    const reply = await call('status', { external_id: 'seed-rejected-1008' });
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(reply.text)));
    expect(reply.headers.connection).toBe('keep-alive');
    expect(reply.headers['keep-alive']).toBe('timeout=65');
  });

  it('serves many requests over one keep-alive connection', async () => {
    for (let i = 0; i < 5; i++) expect((await call('status', { cashout_id: 1001 })).status).toBe(200);
    expect(sandbox.connectionCount()).toBe(1);
    const second = new Client(sandbox.url);
    await send('POST', '/v3/cashout/status', '{}', {}, second);
    await second.destroy();
    expect(sandbox.connectionCount()).toBe(2);
  });

  it('closes promptly with a hanging request outstanding, and only once', async () => {
    sandbox.faults.next({ kind: 'hang' });
    const pending = call('status', { cashout_id: 1001 });
    const outcome = pending.then(
      () => 'answered',
      () => 'failed',
    );
    await until(() => sandbox.requests.length === 1);
    await sandbox.close(); // would never settle if it waited for the hanging request
    expect(await outcome).toBe('failed');
    await sandbox.close();
    const late = new Client(sandbox.url);
    await expect(send('POST', '/v3/cashout/status', '{}', {}, late)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    await late.destroy();
  });

  it('closes with a delayed answer pending without answering it, clearing its timer', async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    sandbox.faults.next({ kind: 'delay', ms: 5_000 });
    const outcome = call('status', { cashout_id: 1001 }).then(
      () => 'answered',
      () => 'failed',
    );
    await until(() => sandbox.requests.length === 1);
    const armed = timeouts();
    await sandbox.close();
    expect(await outcome).toBe('failed'); // closed, not answered after the delay

    expect(timeouts()).toBe(armed - 1);
  });
});
