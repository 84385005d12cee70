import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadPersistedDocuments } from '../src/server/security/armor.js';
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
    // An anonymous caller cannot make the trail name a cashout (docs/security.md).
    expect(refusedLogs.auditLines()).toEqual([
      expect.objectContaining({
        actor: null,
        operation: 'cancelCashout',
        cashoutId: null,
        resultType: 'UNAUTHENTICATED',
        requestId: 'refused-2',
      }),
    ]);
    expect(refusedLogs.auditLines()[0]).not.toHaveProperty('externalId');
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

  // Values a caller may put where an ID or a String belongs: the event and the status must survive each.
  const HOSTILE: [string, unknown][] = [
    ['an object with a toString key', { toString: 1 }],
    ['an object with a valueOf key', { valueOf: 'x', toString: null }],
    ['a nested array', [[{ toString: 1 }]]],
    ['a 50 kB string', 'x'.repeat(50_000)],
  ];
  const HOLD_C = 'mutation M($c: ID!) { holdCashout(input: { cashoutId: $c }) { __typename } }';

  it.each(HOSTILE)(
    'a no-token mutation with %s in its variables is a 401 with its request id and one event',
    async (_what, value) => {
      const response = await fetch(`${secured.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'hostile-1' },
        body: JSON.stringify({ query: HOLD_C, variables: { c: value } }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('x-request-id')).toBe('hostile-1');
      expect(refusedLogs.auditLines()).toEqual([
        expect.objectContaining({
          actor: null,
          operation: 'holdCashout',
          cashoutId: null,
          resultType: 'UNAUTHENTICATED',
          requestId: 'hostile-1',
        }),
      ]);
    },
  );

  it.each(HOSTILE)(
    'a rate-limited mutation with %s in its variables is a 429 with its request id and one event',
    async (_what, value) => {
      const token = await hs256Token({ claims: { sub: `spent-${Math.random()}`, scope: 'cashouts:hold' } });
      await secured.graphql(HOLD, { input: { cashoutId: 'not-a-number' } }, bearer(token));
      refusedLogs.clear();
      const response = await fetch(`${secured.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'hostile-2', ...bearer(token) },
        body: JSON.stringify({ query: HOLD_C, variables: { c: value } }),
      });
      expect(response.status).toBe(429);
      expect(response.headers.get('x-request-id')).toBe('hostile-2');
      expect(refusedLogs.auditLines()).toEqual([
        expect.objectContaining({
          operation: 'holdCashout',
          // A string is an ID: kept, cut at 128 characters.
          cashoutId: typeof value === 'string' ? `${value.slice(0, 128)}…` : null,
          resultType: 'RATE_LIMITED',
          requestId: 'hostile-2',
        }),
      ]);
    },
  );

  it('a rate-limited mutation names the ids its variables coerce to, once per field execution would run', async () => {
    const token = await hs256Token({
      claims: { sub: `spent-${Math.random()}`, scope: 'cashouts:hold cashouts:cancel' },
    });
    await secured.graphql(HOLD, { input: { cashoutId: 'not-a-number' } }, bearer(token));
    refusedLogs.clear();
    const response = await secured.graphql(
      `mutation M($c: ID!, $e: String!) {
        holdCashout(input: { cashoutId: $c }) { __typename }
        ... on Mutation { holdCashout(input: { cashoutId: $c }) { __typename } }
        ...F
      }
      fragment F on Mutation { cancelCashout(input: { cashoutId: $c, externalId: $e }) { __typename } }`,
      { c: 1001, e: 'ext-1' },
      bearer(token),
    );
    expect(response.status).toBe(429);
    expect(refusedLogs.auditLines().map((l) => [l.operation, l.cashoutId, l.externalId])).toEqual([
      ['holdCashout', '1001', undefined],
      ['cancelCashout', '1001', 'ext-1'],
    ]);
  });

  it('one unauthenticated request writes one event, however many fields it names', async () => {
    const fields = Array.from({ length: 9_000 }, (_, i) => `f${i}`).join(' ');
    const many = await secured.graphql(`mutation { ${fields} }`);
    expect(many.status).toBe(401);
    const known = await secured.graphql(
      'mutation { a: holdCashout(input: { cashoutId: "1" }) { __typename } b: releaseCashout(input: { cashoutId: "2" }) { __typename } nope }',
    );
    expect(known.status).toBe(401);
    const one = await secured.graphql(
      'mutation { holdCashout(input: { cashoutId: "1" }) { __typename } nope }',
    );
    expect(one.status).toBe(401);
    expect(refusedLogs.auditLines().map((l) => [l.operation, l.cashoutId, l.resultType])).toEqual([
      ['mutation', null, 'UNAUTHENTICATED'],
      ['mutation', null, 'UNAUTHENTICATED'],
      ['holdCashout', null, 'UNAUTHENTICATED'],
    ]);
  });

  it('an unauthenticated persisted mutation (documentId) is recorded too', async () => {
    const manifest = loadPersistedDocuments();
    const [id] = Object.entries(manifest).find(([, text]) => text.includes('holdCashout(')) ?? [];
    const response = await fetch(`${secured.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documentId: id, variables: { input: { cashoutId: '1001' } } }),
    });
    expect(response.status).toBe(401);
    expect(refusedLogs.auditLines().map((l) => [l.operation, l.cashoutId])).toEqual([['holdCashout', null]]);
  });
});
