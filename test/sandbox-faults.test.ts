import { describe, expect, it } from 'vitest';
import {
  AUTH,
  call,
  client,
  expectError,
  hmac,
  json,
  PATHS,
  sandbox,
  send,
  useSandbox,
} from './support/sandbox-wire.js';

// Faults armed on the sandbox: what each does to the reply and to the cashout.

useSandbox();

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
