import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OPERATIONS } from './support/operations.js';
import { startTestService, type TestService } from './support/service.js';

// Every number and string D24 sends reaches a GraphQL type (Int, String, an enum) only once src/d24/answer.ts has
// checked it; a value that does not fit is not one of D24's answers: D24UnavailableError { outcome: UNKNOWN }.
let service: TestService;
beforeAll(async () => {
  service = await startTestService({ NODE_ENV: 'production' });
});
afterAll(() => service.close());
beforeEach(() => service.sandbox.faults.clear());

const status = (fields: string) => `{"cashout_status":3,"cashout_status_description":"Rejected",${fields}}`;

describe('a look-up answered with a value that no GraphQL type can carry', () => {
  it.each([
    ['rejection_code 1e300', status('"rejection_code":1e300,"rejection_reason":"ERROR_X"')],
    ['rejection_code 1.5', status('"rejection_code":1.5,"rejection_reason":"ERROR_X"')],
    ['rejection_code 2^31', status('"rejection_code":2147483648,"rejection_reason":"ERROR_X"')],
    ['rejection_code as a string', status('"rejection_code":"800","rejection_reason":"ERROR_X"')],
    ['rejection_reason as a number', status('"rejection_code":800,"rejection_reason":7')],
    [
      'rejection_reason of 10,000 characters',
      status(`"rejection_code":800,"rejection_reason":"${'R'.repeat(10_000)}"`),
    ],
    [
      'rejection_reason with a control character',
      status('"rejection_code":800,"rejection_reason":"A\\u0000B"'),
    ],
    ['rejection_reason with a lone surrogate', status('"rejection_code":800,"rejection_reason":"\\ud800"')],
    ['an empty description', '{"cashout_status":1,"cashout_status_description":""}'],
    [
      'a description of 10,000 characters',
      `{"cashout_status":1,"cashout_status_description":"${'d'.repeat(10_000)}"}`,
    ],
    ['cashout_status 1.5', '{"cashout_status":1.5,"cashout_status_description":"Completed"}'],
    ['cashout_status 1e300', '{"cashout_status":1e300,"cashout_status_description":"Completed"}'],
  ])('%s: D24UnavailableError UNKNOWN, no top-level error, nothing of the value', async (_what, body) => {
    service.sandbox.faults.next({ kind: 'respond', httpStatus: 200, body });
    const response = await service.graphql(
      `query { cashout(cashoutId: "1008") { __typename
        ... on Cashout { statusCode statusDescription rejection { code reason } }
        ... on D24UnavailableError { outcome retryable } } }`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      data: { cashout: { __typename: 'D24UnavailableError', outcome: 'UNKNOWN', retryable: true } },
    });
    const text = JSON.stringify(response.body);
    for (const leak of ['1e+300', '1.5', '2147483648', 'RRRR', 'dddd', 'ERROR_X'])
      expect(text).not.toContain(leak);
  });

  it('a well-formed rejection still reaches the client as D24 sent it', async () => {
    service.sandbox.faults.next({
      kind: 'respond',
      httpStatus: 200,
      body: status('"rejection_code":826,"rejection_reason":"ERROR_OTHER"'),
    });
    const { body } = await service.graphql(OPERATIONS.cashout, { cashoutId: '1008' });
    expect(body.data?.cashout).toMatchObject({
      __typename: 'Cashout',
      statusDescription: 'Rejected',
      rejection: { code: 826, reason: 'ERROR_OTHER' },
    });
  });

  it('a mutation answered with a malformed value is UNKNOWN too: it may have happened', async () => {
    const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
    service.sandbox.faults.next({
      kind: 'respond',
      httpStatus: 200,
      body: '{"cashout_status":5,"cashout_status_description":"On hold","rejection_code":0.5,"rejection_reason":"x"}',
      apply: true,
    });
    const { status: http, body } = await service.graphql(OPERATIONS.holdCashout, {
      input: { cashoutId: `${cashoutId}` },
    });
    expect(http).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.holdCashout).toMatchObject({ __typename: 'D24UnavailableError', outcome: 'UNKNOWN' });
  });
});
