import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlString, notificationBody } from '../src/notifications/control.js';
import { captureLogs } from './support/logs.js';
import { startTestService, type TestService } from './support/service.js';

const logs = captureLogs('debug');
let service: TestService;

beforeAll(async () => {
  service = await startTestService(
    { LOG_LEVEL: 'debug', RECONCILE_INTERVAL_MS: '0' },
    { ...logs, sandboxNotifies: true },
  );
});

afterAll(async () => {
  await service.close();
});

const url = () => `${service.url}/d24/notifications`;
const key = () => service.sandbox.credentials.secretKey;
const post = (body: string, contentType = 'application/x-www-form-urlencoded') =>
  fetch(url(), { method: 'POST', headers: { 'content-type': contentType }, body });

async function settle(): Promise<void> {
  await service.sandbox.notifications.settled();
  await service.notifications.processor.idle();
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

/** Raw HTTP, for what fetch will not send: a body that never ends, a Content-Length with no body behind it. */
function rawRequest(head: string, bodyChunk?: Buffer): Promise<string> {
  const { port } = new URL(service.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    let writing: NodeJS.Timeout | undefined;
    socket.on('data', (data) => {
      answer += data.toString('latin1');
      clearInterval(writing);
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
    socket.write(head, (error) => {
      if (error) reject(error);
      // Keep sending until the server answers: it must answer without reading the whole body.
      if (bodyChunk) writing = setInterval(() => socket.write(bodyChunk), 1);
    });
  });
}

describe('D24 webhook hardening', () => {
  it('never logs a control string, the key, or a refused body', async () => {
    logs.clear();
    const { cashoutId, externalId } = service.sandbox.create();
    service.sandbox.advance(cashoutId, 'DELIVERED');
    await settle();
    const forged = notificationBody({ cashout_id: cashoutId, external_id: externalId }, 'not-the-key');
    expect((await post(forged)).status).toBe(401);
    expect((await post(`${forged}&secret=${'s'.repeat(50)}&external_id=x`)).status).toBe(400);
    const text = logs.text();
    expect(text).toContain('/d24/notifications'); // the request lines are there, at debug
    expect(text).not.toMatch(/[0-9A-Fa-f]{64}/);
    expect(text).not.toContain(controlString(externalId, key()));
    expect(text).not.toContain(key());
    expect(text).not.toContain('s'.repeat(50));
  });

  it('keeps logs and state bounded under a flood of forgeries', async () => {
    logs.clear();
    const before = await metric('d24_notifications_total{result="forged"}');
    const { cashoutId, externalId } = service.sandbox.create();
    const requestsBefore = service.sandbox.requests.length;
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          post(
            notificationBody(
              { cashout_id: cashoutId, external_id: externalId, date: `2026-12-01 00:${batch}:${i}` },
              `attacker-${i}`,
            ),
          ).then((r) => r.status),
        ),
      );
      expect(new Set(answers)).toEqual(new Set([401]));
    }
    expect((await metric('d24_notifications_total{result="forged"}')) - before).toBe(1_000);
    const warnings = logs.lines().filter((l) => l.level === 40);
    expect(warnings.length).toBeLessThanOrEqual(1); // one a minute, with a count of those left out
    expect(service.sandbox.requests.length).toBe(requestsBefore); // not one Status call
    expect(await service.ledger.cashout(String(cashoutId))).toBeNull();
  });

  it('processes many valid notifications of one cashout into one truth, with nothing left in flight', async () => {
    const { cashoutId, externalId } = service.sandbox.create();
    service.sandbox.advance(cashoutId, 'DELIVERED');
    await settle();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(
          notificationBody(
            { cashout_id: cashoutId, external_id: externalId, date: `2026-12-01 01:00:${i}` },
            key(),
          ),
        ).then((r) => r.status),
      ),
    );
    expect(new Set(answers)).toEqual(new Set([200]));
    await settle();
    const history = await service.ledger.history(String(cashoutId), { first: 100 });
    expect(history.items.map((e) => e.cashout?.status)).toEqual(['DELIVERED']);
    expect(service.notifications.lookups.inFlight).toBe(0);
  });

  it('refuses oversized bodies without reading them, and other media types', async () => {
    const declared = await rawRequest(
      'POST /d24/notifications HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 104857600\r\n\r\n',
    );
    expect(declared).toMatch(/^HTTP\/1\.1 413 /);
    expect(declared.toLowerCase()).toContain('connection: close');
    const endless = await rawRequest(
      'POST /d24/notifications HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\n\r\n',
      Buffer.from(`4000\r\n${'a'.repeat(0x4000)}\r\n`),
    );
    expect(endless).toMatch(/^HTTP\/1\.1 413 /);
    const body = notificationBody({ cashout_id: 1006, external_id: 'seed-delivered-1006' }, key());
    expect((await post(body, 'application/x-www-form-urlencoded; charset=iso-8859-1')).status).toBe(415);
    expect((await post(body, 'multipart/form-data; boundary=x')).status).toBe(415);
    expect((await post(body, 'application/x-www-form-urlencoded; charset=UTF-8')).status).toBe(200);
  });
});
