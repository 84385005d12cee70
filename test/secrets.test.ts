import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../src/sandbox/index.js';
import { exampleDocument } from '../src/server/http/examples.js';
import { startTestService, type TestService } from './support/service.js';
import { bearer, hs256Token, TEST_SECRET } from './support/tokens.js';

const operation = exampleDocument;

/** One call: the field, its variables, and a fault the sandbox plays first (if any). */
interface Call {
  field: 'cashout' | 'holdCashout' | 'releaseCashout' | 'cancelCashout';
  variables: (service: TestService) => Record<string, unknown>;
  fault?: Fault;
  expect: string;
}

const input = (field: Call['field'], cashoutId: number, externalId: string) =>
  field === 'cancelCashout'
    ? { input: { cashoutId: `${cashoutId}`, externalId } }
    : { input: { cashoutId: `${cashoutId}` } };

function callsFor(field: Exclude<Call['field'], 'cashout'>): Call[] {
  const success = {
    holdCashout: 'HoldCashoutSuccess',
    releaseCashout: 'ReleaseCashoutSuccess',
    cancelCashout: 'CancelCashoutSuccess',
  }[field];
  const from = field === 'releaseCashout' ? 'ON_HOLD' : 'PENDING';
  const fresh =
    (status: 'PENDING' | 'ON_HOLD' | 'DELIVERED' = from) =>
    (service: TestService) => {
      const { cashoutId, externalId } = service.sandbox.create({ status });
      return input(field, cashoutId, externalId);
    };
  return [
    { field, variables: fresh(), expect: success },
    {
      field,
      variables: () =>
        field === 'cancelCashout'
          ? { input: { cashoutId: 'x', externalId: '' } }
          : { input: { cashoutId: 'x' } },
      expect: 'ValidationError',
    },
    { field, variables: () => input(field, 31_337, 'nobody'), expect: 'CashoutNotFoundError' },
    { field, variables: fresh('DELIVERED'), expect: 'InvalidStatusTransitionError' },
    {
      field,
      variables: fresh(),
      fault: { kind: 'code', code: 302, httpStatus: 401 },
      expect: 'D24RequestError',
    },
    {
      field,
      variables: fresh(),
      fault: { kind: 'code', code: 401, httpStatus: 401 },
      expect: 'D24RequestError',
    },
    { field, variables: fresh(), fault: { kind: 'reset' }, expect: 'D24UnavailableError' },
    { field, variables: fresh(), fault: { kind: 'hang' }, expect: 'D24UnavailableError' },
    { field, variables: fresh(), fault: { kind: 'http5xx', status: 502 }, expect: 'D24UnavailableError' },
  ];
}

const CALLS: Call[] = [
  { field: 'cashout', variables: () => ({ cashoutId: '1008' }), expect: 'Cashout' },
  { field: 'cashout', variables: () => ({}), expect: 'ValidationError' },
  { field: 'cashout', variables: () => ({ cashoutId: '31337' }), expect: 'CashoutNotFoundError' },
  {
    field: 'cashout',
    variables: () => ({ cashoutId: '1001' }),
    fault: { kind: 'code', code: 402 },
    expect: 'D24RequestError',
  },
  {
    field: 'cashout',
    variables: () => ({ cashoutId: '1001' }),
    fault: { kind: 'malformed' },
    expect: 'D24UnavailableError',
  },
  ...callsFor('holdCashout'),
  ...callsFor('releaseCashout'),
  ...callsFor('cancelCashout'),
];

describe('no response body and no log line ever holds a D24 credential, a signature or the bearer token', () => {
  let service: TestService;
  const lines: string[] = [];
  const bodies: string[] = [];
  let token: string;

  beforeAll(async () => {
    const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
    service = await startTestService(
      { AUTH_JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '0' },
      { logger },
    );
    token = await hs256Token({
      claims: { sub: 'secrets-test', scope: 'cashouts:read cashouts:hold cashouts:release cashouts:cancel' },
    });
  });
  afterAll(() => service.close());

  it('runs every root field through every union member, and the top-level refusals', async () => {
    const seen = new Set<string>();
    for (const call of CALLS) {
      if (call.fault) service.sandbox.faults.next(call.fault);
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(token) },
        body: JSON.stringify({ query: operation(call.field), variables: call.variables(service) }),
      });
      const text = await response.text();
      bodies.push(text, JSON.stringify([...response.headers]));
      const member = (JSON.parse(text).data?.[call.field] as { __typename?: string } | undefined)?.__typename;
      expect(member, `${call.field} ${JSON.stringify(call.fault)}`).toBe(call.expect);
      seen.add(`${call.field}:${member}`);
      service.sandbox.faults.clear();
    }
    expect(seen.size).toBe(5 + 3 * 6);

    const readOnly = await hs256Token({ claims: { scope: 'cashouts:read' } });
    for (const headers of [{}, bearer(`${token}x`), bearer(readOnly)]) {
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({
          query: operation('holdCashout'),
          variables: { input: { cashoutId: '1003' } },
        }),
      });
      bodies.push(await response.text());
    }
  });

  it('finds none of them anywhere', () => {
    const signatures = service.sandbox.requests
      .map((request) => request.headers['payload-signature'])
      .filter((value): value is string => typeof value === 'string');
    expect(signatures.length).toBeGreaterThan(20);
    expect(lines.length).toBeGreaterThan(0);
    const { login, pass, secretKey } = service.sandbox.credentials;
    const secrets = [login, pass, secretKey, ...signatures];
    const everything = [...bodies, ...lines];
    for (const secret of secrets) {
      const leaks = everything.filter((text) => text.includes(secret));
      expect(leaks, `found ${secret.slice(0, 6)}…`).toEqual([]);
    }
    expect(
      lines.filter((line) => line.includes(token) || line.includes(token.split('.')[2] as string)),
    ).toEqual([]);
    expect(bodies.filter((body) => body.includes(token))).toEqual([]);
  });
});
