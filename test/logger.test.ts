import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { REDACTED } from '../src/server/observability/logger.js';
import { captureLogs } from './support/logs.js';
import { startTestService, type TestService } from './support/service.js';

describe('redaction', () => {
  it('censors every credential, signature and token wherever it sits in a logged object', () => {
    const logs = captureLogs();
    const secrets = {
      login: 'secret-login',
      pass: 'secret-pass',
      secretKey: 'secret-key',
      signature: 'secret-signature',
      token: 'secret-token',
    };
    const config = loadConfig({
      D24_BASE_URL: 'https://api-stg.directa24.com',
      D24_LOGIN: 'cfg-login',
      D24_PASS: 'cfg-pass',
      D24_SECRET_KEY: 'cfg-secret-key',
      AUTH_JWT_SECRET: 'cfg-jwt-secret-that-is-at-least-32-chars',
    });
    logs.logger.info({ ...secrets, ok: 'visible-1' });
    logs.logger.info({ config, ok: 'visible-2' });
    logs.logger.info({ credentials: config.d24.credentials, d24: { credentials: config.d24.credentials } });
    logs.logger.info({
      req: { headers: { authorization: 'Bearer secret-bearer', 'payload-signature': 'secret-sig-header' } },
      headers: { Authorization: 'Bearer secret-bearer-2', 'payload-signature': 'secret-sig-2' },
    });
    logs.logger.info({
      env: {
        D24_LOGIN: 'env-login',
        D24_PASS: 'env-pass',
        D24_SECRET_KEY: 'env-key',
        AUTH_JWT_SECRET: 'env-jwt',
      },
    });
    // The audit logger redacts top-level keys: its events are flat (test/audit.test.ts holds them to that).
    logs.audit.info({ pass: 'audit-pass', authorization: 'Bearer audit-bearer' });
    const text = logs.text();
    for (const secret of [
      ...Object.values(secrets),
      'cfg-login',
      'cfg-pass',
      'cfg-secret-key',
      'cfg-jwt-secret',
      'secret-bearer',
      'secret-sig',
      'env-login',
      'env-pass',
      'env-key',
      'env-jwt',
      'audit-pass',
      'audit-bearer',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('visible-1');
    expect(text).toContain('visible-2');
    expect(logs.lines()[0]).toMatchObject({ login: REDACTED, pass: REDACTED, secretKey: REDACTED });
  });

  it('never writes the censor into the logged object itself (the D24 client keeps its credentials)', () => {
    const logs = captureLogs();
    const credentials = { login: 'L', pass: 'P', secretKey: 'S' };
    logs.logger.info({
      credentials,
      d24: { credentials },
      a: { b: { credentials } },
      c: { login: { pass: 'x' } },
    });
    expect(credentials).toEqual({ login: 'L', pass: 'P', secretKey: 'S' });
    expect(logs.text()).not.toMatch(/"(L|P|S|x)"/);
  });
});

describe('request logging', () => {
  const logs = captureLogs('trace');
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({}, { logger: logs.logger, audit: logs.audit });
  });
  afterAll(() => service.close());

  it('puts the request id on every line of the request, and no secret or signature on any', async () => {
    const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
    service.sandbox.clearRequests();
    logs.clear();
    const { headers } = await service.graphql(
      'mutation { holdCashout(input: { cashoutId: "%" }) { __typename } }'.replace('%', `${cashoutId}`),
      undefined,
      { 'x-request-id': 'trace-me-1' },
    );
    expect(headers.get('x-request-id')).toBe('trace-me-1');
    const lines = logs.lines().filter((line) => line.msg !== 'D24 is reachable');
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['D24 call', 'audit', 'request']));
    for (const line of lines) expect(line.requestId).toBe('trace-me-1');
    expect(lines.find((line) => line.msg === 'D24 call')).toMatchObject({
      endpoint: 'updateStatus',
      outcome: 'ok',
    });

    const signature = service.sandbox.requests[0]?.headers['payload-signature'];
    expect(signature).toEqual(expect.any(String));
    const { login, pass, secretKey } = service.sandbox.credentials;
    for (const secret of [signature as string, login, pass, secretKey])
      expect(logs.text()).not.toContain(secret);
  });

  it('generates a request id when the caller gives none or an unusable one', async () => {
    for (const given of [undefined, 'has spaces', 'x'.repeat(129)]) {
      const { headers } = await service.graphql(
        '{ __typename }',
        undefined,
        given ? { 'x-request-id': given } : {},
      );
      expect(headers.get('x-request-id')).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    }
  });
});
