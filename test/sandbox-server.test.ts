import { Client } from 'undici';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/sandbox/index.js';
import { until } from './support/http.js';
import { AUTH, call, hmac, sandbox, send, useSandbox } from './support/sandbox-wire.js';

// The server itself: the request log, connections, close.

useSandbox();

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
