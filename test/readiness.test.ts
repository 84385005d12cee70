import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './support/http.js';
import { startTestService, type TestService } from './support/service.js';

const started: TestService[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((service) => service.close()));
});

async function ready(service: TestService) {
  const response = await fetch(`${service.url}/ready`);
  return { status: response.status, body: (await response.json()) as { status: string; reasons?: string[] } };
}

/** Asks until `accept` holds: /ready flips on the next probe, which runs on its own interval. No deadline of its own. */
async function eventually<T>(check: () => Promise<T>, accept: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await check();
    if (accept(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('/ready', () => {
  it('is 200 once the embedded sandbox answers the probe, and 503 while draining; /health stays 200', async () => {
    const service = await startTestService({ READY_PROBE_INTERVAL_MS: '200' });
    started.push(service);
    expect(
      (
        await eventually(
          () => ready(service),
          (r) => r.status === 200,
        )
      ).body,
    ).toEqual({ status: 'ready' });
    service.readiness.drain();
    expect(await ready(service)).toEqual({
      status: 503,
      body: { status: 'not ready', reasons: ['draining'] },
    });
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });

  it('flips with D24 reachability, from probes on an interval (never per /ready call)', async () => {
    const port = await freePort();
    const service = await startTestService({
      READY_PROBE_INTERVAL_MS: '200',
      D24_BASE_URL: `http://127.0.0.1:${port}`,
      D24_LOGIN: 'l',
      D24_PASS: 'p',
      D24_SECRET_KEY: 'k',
      AUTH_DISABLED: 'true',
    });
    started.push(service);
    const down = await eventually(
      () => ready(service),
      (r) => r.body.reasons?.includes('d24-unreachable') ?? false,
    );
    expect(down).toEqual({ status: 503, body: { status: 'not ready', reasons: ['d24-unreachable'] } });

    let connections = 0;
    const d24: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => d24.listen(port, '127.0.0.1', resolve));
    try {
      expect(
        (
          await eventually(
            () => ready(service),
            (r) => r.status === 200,
          )
        ).status,
      ).toBe(200);
      // With the interval's probes paused, 20 /ready calls open no connection to D24 at all.
      service.readiness.stop();
      const before = connections;
      const answers = await Promise.all(Array.from({ length: 20 }, () => ready(service)));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      expect(connections - before).toBe(0);
      service.readiness.start();
    } finally {
      await new Promise((resolve) => d24.close(resolve));
    }
    expect(
      (
        await eventually(
          () => ready(service),
          (r) => r.status === 503,
        )
      ).status,
    ).toBe(503);
  });
});
