import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureLogs } from './support/logs.js';
import { startTestService, type TestService } from './support/service.js';
import { bearer, hs256Token, TEST_SECRET } from './support/tokens.js';

const HOLD = `mutation Hold($input: HoldCashoutInput!) {
  holdCashout(input: $input) { __typename ... on HoldCashoutSuccess { changed } }
}`;
const CANCEL = `mutation Cancel($input: CancelCashoutInput!) {
  cancelCashout(input: $input) { __typename }
}`;

const logs = captureLogs();
let service: TestService;
beforeAll(async () => {
  service = await startTestService({}, { logger: logs.logger, audit: logs.audit });
});
afterAll(() => service.close());
beforeEach(() => {
  logs.clear();
  service.sandbox.faults.clear();
});

describe('the audit event of a mutation', () => {
  it('names the actor, the operation, the cashout, the result and the request id on a success', async () => {
    const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
    const { headers, body } = await service.graphql(
      HOLD,
      { input: { cashoutId: `${cashoutId}` } },
      { 'x-request-id': 'audit-success-1' },
    );
    expect(body.data).toEqual({ holdCashout: { __typename: 'HoldCashoutSuccess', changed: true } });
    expect(headers.get('x-request-id')).toBe('audit-success-1');
    expect(service.sandbox.requests.at(-1)?.headers['x-request-id']).toBe('audit-success-1');

    const [event, ...more] = logs.auditLines();
    expect(more).toEqual([]);
    expect(event).toMatchObject({
      name: 'audit',
      level: 30,
      msg: 'audit',
      actor: 'sandbox-developer',
      operation: 'holdCashout',
      cashoutId: `${cashoutId}`,
      resultType: 'HoldCashoutSuccess',
      changed: true,
      requestId: 'audit-success-1',
    });
    expect(event?.durationMs).toEqual(expect.any(Number));
    expect(event).not.toHaveProperty('d24Code');
    expect(event).not.toHaveProperty('outcome');
  });

  it('carries the D24 code on a D24 error, and the externalId given', async () => {
    const { cashoutId, externalId } = service.sandbox.create({ status: 'PENDING' });
    service.sandbox.faults.next({ kind: 'code', code: 300, httpStatus: 400 });
    const { body } = await service.graphql(CANCEL, { input: { cashoutId: `${cashoutId}`, externalId } });
    expect(body.data).toEqual({ cancelCashout: { __typename: 'D24RequestError' } });
    expect(logs.auditLines()).toEqual([
      expect.objectContaining({
        operation: 'cancelCashout',
        cashoutId: `${cashoutId}`,
        externalId,
        resultType: 'D24RequestError',
        d24Code: 300,
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      }),
    ]);
  });

  it('carries the outcome and the transport reason when D24 gave no usable answer', async () => {
    const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
    service.sandbox.faults.next({ kind: 'reset' });
    const { body } = await service.graphql(HOLD, { input: { cashoutId: `${cashoutId}` } });
    expect(body.data).toEqual({ holdCashout: { __typename: 'D24UnavailableError' } });
    const [event] = logs.auditLines();
    expect(event).toMatchObject({ resultType: 'D24UnavailableError', outcome: 'UNKNOWN' });
    expect(event?.detail).toEqual(expect.any(String));
  });

  it('is written once for input refused by validation, which never reaches the resolver', async () => {
    const requests = service.sandbox.requests.length;
    await service.graphql(HOLD, { input: { cashoutId: 'not-a-number' } });
    expect(service.sandbox.requests.length).toBe(requests);
    expect(logs.auditLines()).toEqual([
      expect.objectContaining({
        operation: 'holdCashout',
        cashoutId: 'not-a-number',
        resultType: 'ValidationError',
      }),
    ]);
  });

  it('is written once per mutation field of a document, and never for a query', async () => {
    const a = service.sandbox.create({ status: 'PENDING' });
    const b = service.sandbox.create({ status: 'ON_HOLD' });
    await service.graphql(
      `mutation { a: holdCashout(input: { cashoutId: "${a.cashoutId}" }) { __typename }
                  b: releaseCashout(input: { cashoutId: "${b.cashoutId}" }) { __typename } }`,
    );
    await service.graphql(`{ cashout(cashoutId: "${a.cashoutId}") { __typename } }`);
    expect(logs.auditLines().map((line) => [line.operation, line.resultType])).toEqual([
      ['holdCashout', 'HoldCashoutSuccess'],
      ['releaseCashout', 'ReleaseCashoutSuccess'],
    ]);
  });

  it('is flat: every value a primitive, so top-level redaction covers all of it', async () => {
    const { cashoutId, externalId } = service.sandbox.create({ status: 'PENDING' });
    service.sandbox.faults.forCashout(cashoutId, { kind: 'code', code: 402, httpStatus: 401 }, 1);
    await service.graphql(CANCEL, { input: { cashoutId: `${cashoutId}`, externalId } });
    await service.graphql(HOLD, { input: { cashoutId: 'not-a-number' } });
    const events = logs.auditLines();
    expect(events).toHaveLength(2);
    for (const event of events) {
      for (const [key, value] of Object.entries(event)) {
        expect(value === null || typeof value !== 'object', `${key} is a primitive`).toBe(true);
      }
    }
  });
});

describe('the audit event of a refused mutation (real bearer auth)', () => {
  const refusedLogs = captureLogs();
  let secured: TestService;
  beforeAll(async () => {
    secured = await startTestService(
      { AUTH_JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '1' },
      { logger: refusedLogs.logger, audit: refusedLogs.audit },
    );
  });
  afterAll(() => secured.close());
  beforeEach(() => refusedLogs.clear());

  it('is FORBIDDEN, naming the token subject, when the token lacks the scope; D24 is not called', async () => {
    const token = await hs256Token({ claims: { sub: 'operator-7', scope: 'cashouts:read' } });
    secured.sandbox.clearRequests();
    const { body } = await secured.graphql(
      HOLD,
      { input: { cashoutId: '1001' } },
      {
        ...bearer(token),
        'x-request-id': 'refused-1',
      },
    );
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refusedLogs.auditLines()).toEqual([
      expect.objectContaining({
        actor: 'operator-7',
        operation: 'holdCashout',
        cashoutId: '1001',
        resultType: 'FORBIDDEN',
        requestId: 'refused-1',
      }),
    ]);
    expect(secured.sandbox.requests).toHaveLength(0);
  });

  it.each([
    ['no token', async () => ({})],
    [
      'a token signed with another key',
      async () => bearer(await hs256Token({ secret: 'another-secret-0123456789abcdef-01' })),
    ],
  ])('is UNAUTHENTICATED, with no actor, for %s', async (_why, authorization) => {
    const auth = await authorization();
    const response = await secured.graphql(
      CANCEL,
      { input: { cashoutId: '1002', externalId: 'seed-pending-1002' } },
      { ...auth, 'x-request-id': 'refused-2' },
    );
    expect(response.status).toBe(401);
    expect(refusedLogs.auditLines()).toEqual([
      expect.objectContaining({
        actor: null,
        operation: 'cancelCashout',
        cashoutId: '1002',
        externalId: 'seed-pending-1002',
        resultType: 'UNAUTHENTICATED',
        requestId: 'refused-2',
      }),
    ]);
    expect(secured.sandbox.get(1002)?.status).toBe('PENDING');
  });

  it('is RATE_LIMITED with the actor once the principal has spent its budget', async () => {
    const token = await hs256Token({ claims: { sub: 'operator-9', scope: 'cashouts:hold' } });
    const first = secured.sandbox.create({ status: 'PENDING' });
    const second = secured.sandbox.create({ status: 'PENDING' });
    await secured.graphql(HOLD, { input: { cashoutId: `${first.cashoutId}` } }, bearer(token));
    const refused = await secured.graphql(
      HOLD,
      { input: { cashoutId: `${second.cashoutId}` } },
      bearer(token),
    );
    expect(refused.status).toBe(429);
    expect(refusedLogs.auditLines().map((line) => [line.actor, line.resultType])).toEqual([
      ['operator-9', 'HoldCashoutSuccess'],
      ['operator-9', 'RATE_LIMITED'],
    ]);
    expect(secured.sandbox.get(second.cashoutId)?.status).toBe('PENDING');
  });

  it('is not written for a refused query', async () => {
    await secured.graphql('{ cashout(cashoutId: "1001") { __typename } }');
    expect(refusedLogs.auditLines()).toEqual([]);
  });
});
