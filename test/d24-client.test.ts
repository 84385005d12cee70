import { createHmac } from 'node:crypto';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CashoutNotFoundError,
  D24Client,
  type D24ClientOptions,
  D24RequestError,
  D24UnavailableError,
  InvalidStatusTransitionError,
  sign,
} from '../src/d24/index.js';
import { type Sandbox, startSandbox } from '../src/sandbox/index.js';
import { freePort } from './support/http.js';

let sandbox: Sandbox;
let client: D24Client;
const clients: D24Client[] = [];

function newClient(options: Partial<D24ClientOptions> = {}): D24Client {
  const created = new D24Client({
    baseUrl: sandbox.url,
    credentials: sandbox.credentials,
    timeoutMs: 2_000,
    ...options,
  });
  clients.push(created);
  return created;
}

/** The error a call threw (fails the test if it resolved). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    (value) => expect.fail(`expected a failure, got ${JSON.stringify(value)}`),
    (error: Error) => error,
  );
}

beforeAll(async () => {
  sandbox = await startSandbox();
  client = newClient();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sandbox.close();
});

describe('sign', () => {
  it('matches the vector in docs/d24.md', () => {
    const body = '{"login":"cashout_login","pass":"cashout_pass","cashout_id":11954}';
    expect(sign(body, 'cashout_secret_key')).toBe(
      'db96878e3d4066e680a1dbebc977546276e1427aefbe14ead1b410a76d45cc60',
    );
  });

  it('signs exactly the bytes the sandbox received, with an independent HMAC', async () => {
    const { cashoutId } = sandbox.create();
    sandbox.clearRequests();
    await client.holdCashout({ cashoutId }, { requestId: 'req-abc' });
    const [received] = sandbox.requests;
    const expected = createHmac('sha256', sandbox.credentials.secretKey)
      .update(received?.rawBody ?? '')
      .digest('hex');
    expect(received?.headers['payload-signature']).toBe(expected);
    expect(received?.headers['content-type']).toBe('application/json');
    expect(received?.headers['user-agent']).toMatch(/^d24-cashout-graphql\/\d+\.\d+\.\d+$/);
    expect(received?.headers['x-request-id']).toBe('req-abc');
    expect(JSON.parse(received?.rawBody ?? '')).toEqual({
      login: sandbox.credentials.login,
      pass: sandbox.credentials.pass,
      cashout_id: cashoutId,
      status: 'ON_HOLD',
    });
  });
});

describe('calls', () => {
  it('holds, releases and cancels, each sent as D24 documents it', async () => {
    const { cashoutId, externalId } = sandbox.create();
    sandbox.clearRequests();
    const held = await client.holdCashout({ cashoutId });
    expect(held).toMatchObject({
      changed: true,
      cashout: { status: 'ON_HOLD', statusCode: 5, cashoutId: `${cashoutId}` },
    });
    const released = await client.releaseCashout({ cashoutId });
    expect(released).toMatchObject({ changed: true, cashout: { status: 'PENDING', statusCode: 0 } });
    const cancelled = await client.cancelCashout({ cashoutId, externalId });
    expect(cancelled).toEqual({
      changed: true,
      cashout: {
        cashoutId: `${cashoutId}`,
        externalId,
        status: 'CANCELLED',
        statusCode: 2,
        statusDescription: 'Canceled',
        rejection: null,
      },
    });
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /v3/cashout/status',
      'PUT /v3/cashout/status',
      'DELETE /v3/cashout/cancel',
    ]);
    expect(JSON.parse(sandbox.requests[2]?.rawBody ?? '')).toMatchObject({
      cashout_id: cashoutId,
      external_id: externalId,
    });
    expect(sandbox.get(cashoutId)?.status).toBe('CANCELLED');
  });

  it('looks a cashout up by id, by external id, and by both', async () => {
    const rejected = sandbox.create({ status: 'REJECTED', rejection: { code: 811, reason: 'RISK_POLICY' } });
    const byId = await client.getCashoutStatus({ cashoutId: rejected.cashoutId });
    expect(byId).toMatchObject({ cashoutId: `${rejected.cashoutId}`, externalId: null, status: 'REJECTED' });
    expect(byId.rejection).toEqual({ code: 811, reason: 'RISK_POLICY' });
    const byExternal = await client.getCashoutStatus({ externalId: rejected.externalId });
    expect(byExternal).toMatchObject({ cashoutId: null, externalId: rejected.externalId, statusCode: 3 });
    const byBoth = await client.getCashoutStatus({
      cashoutId: rejected.cashoutId,
      externalId: rejected.externalId,
    });
    expect(byBoth.cashoutId).toBe(`${rejected.cashoutId}`);
  });

  it('refuses an id D24 could not read, without sending anything', async () => {
    sandbox.clearRequests();
    await expect(client.holdCashout({ cashoutId: 2 ** 53 })).rejects.toThrow(RangeError);
    await expect(client.holdCashout({ cashoutId: 1.5 })).rejects.toThrow(RangeError);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('reuses keep-alive connections: 20 sequential calls, at most 2 connections', async () => {
    const before = sandbox.connectionCount();
    const own = newClient();
    for (let i = 0; i < 20; i++) await own.getCashoutStatus({ cashoutId: 1007 });
    // An undici Pool may open a second socket while the first is being released; never one per call.
    expect(sandbox.connectionCount() - before).toBeLessThanOrEqual(2);
  });

  it('reuses keep-alive connections under concurrency: 150 calls, 10 at a time, at most 20 connections', async () => {
    const before = sandbox.connectionCount();
    const own = newClient();
    for (let round = 0; round < 15; round++) {
      await Promise.all(Array.from({ length: 10 }, () => own.getCashoutStatus({ cashoutId: 1007 })));
    }
    // The pool grows to about twice the concurrency while sockets are being released, then stops growing.
    expect(sandbox.connectionCount() - before).toBeLessThanOrEqual(20);
  });
});

describe('the mapping of D24 answers', () => {
  it('2xx with another status: InvalidStatusTransitionError carrying that status', async () => {
    const { cashoutId } = sandbox.create();
    sandbox.faults.next({
      kind: 'respond',
      httpStatus: 200,
      body: '{"cashout_status":4,"cashout_status_description":"Delivered"}',
    });
    const error = await failure(client.holdCashout({ cashoutId }));
    expect(error).toBeInstanceOf(InvalidStatusTransitionError);
    expect(error).toMatchObject({ currentStatus: 'DELIVERED', requestedStatus: 'ON_HOLD', code: 510 });
  });

  it.each([412, 200, 500])('code 509 with HTTP %i: CashoutNotFoundError', async (httpStatus) => {
    sandbox.faults.next({ kind: 'code', code: 509, httpStatus });
    const error = await failure(client.getCashoutStatus({ cashoutId: 1001 }));
    expect(error).toBeInstanceOf(CashoutNotFoundError);
    expect(error).toMatchObject({ code: 509 });
  });

  it('an unknown cashout: CashoutNotFoundError from the real 412', async () => {
    expect(await failure(client.holdCashout({ cashoutId: 999_999_999 }))).toBeInstanceOf(
      CashoutNotFoundError,
    );
  });

  it('510 when already in the requested status: a safe replay, changed: false, after one look-up', async () => {
    const { cashoutId, externalId } = sandbox.create({ status: 'CANCELLED' });
    sandbox.clearRequests();
    const replay = await client.cancelCashout({ cashoutId, externalId });
    expect(replay).toMatchObject({ changed: false, cashout: { status: 'CANCELLED' } });
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /v3/cashout/cancel',
      'POST /v3/cashout/status',
    ]);
  });

  it('510 from another status: InvalidStatusTransitionError with the looked-up status', async () => {
    const error = await failure(client.holdCashout({ cashoutId: 1007 }));
    expect(error).toBeInstanceOf(InvalidStatusTransitionError);
    expect(error).toMatchObject({ currentStatus: 'COMPLETED', requestedStatus: 'ON_HOLD', code: 510 });
  });

  it('510 whose look-up fails: currentStatus null', async () => {
    const { cashoutId } = sandbox.create({ status: 'ON_HOLD' });
    sandbox.faults.next({ kind: 'code', code: 510 });
    sandbox.faults.next({ kind: 'http5xx' });
    const error = await failure(client.holdCashout({ cashoutId }));
    expect(error).toBeInstanceOf(InvalidStatusTransitionError);
    expect(error).toMatchObject({ currentStatus: null, requestedStatus: 'ON_HOLD' });
  });

  it.each([
    [300, 'INVALID_PARAMS'],
    [302, 'INVALID_SIGNATURE'],
    [401, 'INVALID_CREDENTIALS'],
    [524, 'INVALID_CREDENTIALS'],
    [402, 'UNREGISTERED_IP'],
    [502, 'MALFORMED_REQUEST'],
    [702, 'CANCEL_FAILED'],
    [521, 'STATUS_NOT_SUPPORTED'],
    [514, 'OTHER'],
    [999, 'OTHER'],
  ])('code %i: D24RequestError of kind %s', async (code, kind) => {
    sandbox.faults.next({ kind: 'code', code, httpStatus: 400 });
    const error = await failure(client.getCashoutStatus({ cashoutId: 1001 }));
    expect(error).toBeInstanceOf(D24RequestError);
    expect(error).toMatchObject({ code, kind });
  });

  it('real refusals: a wrong secret key is INVALID_SIGNATURE, a wrong pass INVALID_CREDENTIALS', async () => {
    const badKey = newClient({ credentials: { ...sandbox.credentials, secretKey: 'not-the-key' } });
    expect(await failure(badKey.getCashoutStatus({ cashoutId: 1001 }))).toMatchObject({
      kind: 'INVALID_SIGNATURE',
    });
    const badPass = newClient({ credentials: { ...sandbox.credentials, pass: 'not-the-pass' } });
    expect(await failure(badPass.getCashoutStatus({ cashoutId: 1001 }))).toMatchObject({
      kind: 'INVALID_CREDENTIALS',
    });
  });
});

describe('transport failures', () => {
  it('connection refused: NOT_APPLIED', async () => {
    const port = await freePort();
    const refused = newClient({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await failure(refused.holdCashout({ cashoutId: 1001 }));
    expect(error).toBeInstanceOf(D24UnavailableError);
    expect(error).toMatchObject({ outcome: 'NOT_APPLIED', retryable: true, detail: 'ECONNREFUSED' });
  });

  it('DNS failure: NOT_APPLIED', async () => {
    const unknownHost = newClient({ baseUrl: 'http://d24.invalid' });
    expect(await failure(unknownHost.getCashoutStatus({ cashoutId: 1 }))).toMatchObject({
      outcome: 'NOT_APPLIED',
    });
  });

  it('a call still queued behind a hung one when its time runs out: NOT_APPLIED, and nothing reached D24', async () => {
    // One socket, held by a hung call (limit 1 s); a second call (limit 300 ms) waits for it and times out first.
    const pool = new Pool(sandbox.url, { connections: 1 });
    const patient = newClient({ timeoutMs: 1_000, dispatcher: pool });
    const hasty = newClient({ timeoutMs: 300, dispatcher: pool });
    const [first, second] = [sandbox.create(), sandbox.create()];
    sandbox.clearRequests();
    sandbox.faults.forCashout(first.cashoutId, { kind: 'hang' }, 1);
    const settled: string[] = [];
    const [hung, queued] = await Promise.all([
      failure(patient.holdCashout({ cashoutId: first.cashoutId })).finally(() => settled.push('hung')),
      failure(hasty.holdCashout({ cashoutId: second.cashoutId })).finally(() => settled.push('queued')),
    ]);
    await pool.destroy();
    expect(settled).toEqual(['queued', 'hung']); // at its own limit, not the hung call's
    expect(hung).toMatchObject({ outcome: 'UNKNOWN', detail: 'timeout' });
    expect(queued).toMatchObject({ outcome: 'NOT_APPLIED', detail: 'timeout before sending' });
    expect(sandbox.requests.map((r) => JSON.parse(r.rawBody).cashout_id)).toEqual([first.cashoutId]);
    expect(sandbox.get(second.cashoutId)?.status).toBe('PENDING');
  });

  it('a hang is cut at the time limit: UNKNOWN, not before the limit', async () => {
    const quick = newClient({ timeoutMs: 300 });
    sandbox.faults.next({ kind: 'hang' });
    const started = performance.now();
    const error = await failure(quick.holdCashout({ cashoutId: 1001 }));
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ name: 'D24UnavailableError', outcome: 'UNKNOWN', detail: 'timeout' });
    // A lower bound only (a timer never fires early); that it answers at all shows the hang was cut.
    expect(elapsed).toBeGreaterThanOrEqual(290);
  });

  it.each([
    ['a delay past the limit', { kind: 'delay', ms: 1_000 }],
    ['a body trickled past the limit', { kind: 'slowBody', ms: 1_000 }],
    ['a reset connection', { kind: 'reset' }],
    ['a 5xx with an HTML body', { kind: 'http5xx' }],
    ['a body that is not JSON', { kind: 'malformed' }],
    ['a 2xx JSON body that is not a status', { kind: 'respond', httpStatus: 200, body: '{"ok":true}' }],
    ['a 4xx without a coded body', { kind: 'respond', httpStatus: 404, body: '<h1>Not found</h1>' }],
    ['an answer larger than the cap', { kind: 'respond', httpStatus: 200, body: `"${'x'.repeat(70_000)}"` }],
  ] as const)('%s: UNKNOWN, never retried', async (_name, fault) => {
    const quick = newClient({ timeoutMs: 400 });
    const { cashoutId } = sandbox.create();
    sandbox.clearRequests();
    sandbox.faults.next(fault);
    const error = await failure(quick.holdCashout({ cashoutId }));
    expect(error).toBeInstanceOf(D24UnavailableError);
    expect(error).toMatchObject({ outcome: 'UNKNOWN', retryable: true });
    expect(sandbox.requests).toHaveLength(1);
  });

  it('no error message or detail carries a credential or a signature', async () => {
    const secrets = [sandbox.credentials.login, sandbox.credentials.pass, sandbox.credentials.secretKey];
    sandbox.faults.next({ kind: 'code', code: 401, httpStatus: 401 });
    sandbox.faults.next({ kind: 'reset' });
    sandbox.faults.next({ kind: 'malformed' });
    const errors = [
      await failure(client.getCashoutStatus({ cashoutId: 1001 })),
      await failure(client.getCashoutStatus({ cashoutId: 1001 })),
      await failure(client.getCashoutStatus({ cashoutId: 1001 })),
      await failure(
        newClient({ baseUrl: `http://127.0.0.1:${await freePort()}` }).getCashoutStatus({ cashoutId: 1 }),
      ),
    ];
    const signatures = sandbox.requests.map((r) => String(r.headers['payload-signature']));
    const text = errors.map((e) => `${e.message} ${JSON.stringify(e)} ${String(e.stack)}`).join('\n');
    for (const secret of [...secrets, ...signatures]) expect(text).not.toContain(secret);
  });
});
