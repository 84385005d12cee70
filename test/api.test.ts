import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS as OPS } from './support/operations.js';
import { startTestService, type TestService } from './support/service.js';

type Mutation = 'holdCashout' | 'releaseCashout' | 'cancelCashout';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

/** Runs an example mutation and returns its result object (the union member). */
async function mutate(field: Mutation, input: Record<string, unknown>) {
  const { status, body } = await service.graphql<Record<string, Record<string, unknown>>>(OPS[field], {
    input,
  });
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  return body.data?.[field] as Record<string, unknown> & { __typename: string };
}

async function lookup(variables: Record<string, unknown>) {
  const { body } = await service.graphql<{ cashout: Record<string, unknown> }>(OPS.cashout, variables);
  expect(body.errors).toBeUndefined();
  return body.data?.cashout as Record<string, unknown> & { __typename: string };
}

/** A fresh sandbox cashout in `status`, and the input each mutation takes for it. */
function cashoutIn(status: 'PENDING' | 'ON_HOLD' | 'COMPLETED' | 'CANCELLED' | 'DELIVERED') {
  const { cashoutId, externalId } = service.sandbox.create({ status });
  return { cashoutId, externalId, input: { cashoutId: `${cashoutId}`, externalId } };
}
const inputFor = (field: Mutation, input: { cashoutId: string; externalId: string }) =>
  field === 'cancelCashout' ? input : { cashoutId: input.cashoutId };

const MUTATIONS = [
  { field: 'holdCashout', from: 'PENDING', to: 'ON_HOLD', success: 'HoldCashoutSuccess' },
  { field: 'releaseCashout', from: 'ON_HOLD', to: 'PENDING', success: 'ReleaseCashoutSuccess' },
  { field: 'cancelCashout', from: 'PENDING', to: 'CANCELLED', success: 'CancelCashoutSuccess' },
] as const;

describe.each(MUTATIONS)('$field', ({ field, from, to, success }) => {
  it(`moves a ${from} cashout to ${to}: ${success} { changed: true }`, async () => {
    const { cashoutId, input } = cashoutIn(from);
    const result = await mutate(field, inputFor(field, input));
    expect(result).toMatchObject({
      __typename: success,
      changed: true,
      cashout: { cashoutId: `${cashoutId}`, status: to },
    });
    expect(service.sandbox.get(cashoutId)?.status).toBe(to);
  });

  it(`replays safely on a cashout already ${to}: ${success} { changed: false }`, async () => {
    const { cashoutId, input } = cashoutIn(to);
    const result = await mutate(field, inputFor(field, input));
    expect(result).toMatchObject({ __typename: success, changed: false, cashout: { status: to } });
    expect(service.sandbox.get(cashoutId)?.status).toBe(to);
  });

  it('refuses from a status that cannot move: InvalidStatusTransitionError with currentStatus', async () => {
    const { cashoutId, input } = cashoutIn('DELIVERED');
    const result = await mutate(field, inputFor(field, input));
    expect(result).toMatchObject({
      __typename: 'InvalidStatusTransitionError',
      code: 510,
      currentStatus: 'DELIVERED',
      requestedStatus: to,
    });
    expect(service.sandbox.get(cashoutId)?.status).toBe('DELIVERED');
  });

  it.each([
    ['not a number', 'abc'],
    ['zero', '0'],
    ['negative', '-5'],
    ['past 2^53-1', '9007199254740992'],
    ['a float', '1.5'],
    ['leading zero', '0100'],
  ])('refuses a cashoutId that is %s, before D24: ValidationError', async (_why, cashoutId) => {
    service.sandbox.clearRequests();
    const result = await mutate(field, inputFor(field, { cashoutId, externalId: 'ext-1' }));
    expect(result.__typename).toBe('ValidationError');
    expect(result.issues).toEqual([
      { path: ['input', 'cashoutId'], message: expect.stringContaining('decimal integer') },
    ]);
    expect(service.sandbox.requests).toHaveLength(0);
  });

  it('an unknown cashout: CashoutNotFoundError', async () => {
    const result = await mutate(field, inputFor(field, { cashoutId: '987654321', externalId: 'nobody' }));
    expect(result).toMatchObject({ __typename: 'CashoutNotFoundError', code: 509 });
  });

  it('a D24 error code: D24RequestError with its kind', async () => {
    const { cashoutId, input } = cashoutIn(from);
    service.sandbox.faults.forCashout(cashoutId, { kind: 'code', code: 402, httpStatus: 401 }, 1);
    const result = await mutate(field, inputFor(field, input));
    expect(result).toMatchObject({ __typename: 'D24RequestError', code: 402, kind: 'UNREGISTERED_IP' });
    expect(service.sandbox.get(cashoutId)?.status).toBe(from);
  });

  it('a dropped connection: D24UnavailableError { outcome: UNKNOWN, retryable: true }', async () => {
    const { input, cashoutId } = cashoutIn(from);
    service.sandbox.faults.forCashout(cashoutId, { kind: 'reset' }, 1);
    const result = await mutate(field, inputFor(field, input));
    expect(result).toMatchObject({ __typename: 'D24UnavailableError', outcome: 'UNKNOWN', retryable: true });
  });
});

describe('cancelCashout input', () => {
  it.each([
    ['empty', ''],
    ['over 100 characters', 'x'.repeat(101)],
    ['a control character', 'ext\u0007id'],
    ['a lone surrogate', 'ext\ud800'],
  ])('refuses an externalId that is %s, before D24', async (_why, externalId) => {
    service.sandbox.clearRequests();
    const result = await mutate('cancelCashout', { cashoutId: '1001', externalId });
    expect(result.__typename).toBe('ValidationError');
    expect((result.issues as { path: string[] }[])[0]?.path).toEqual(['input', 'externalId']);
    expect(service.sandbox.requests).toHaveLength(0);
  });

  it('accepts 100 characters of any script', async () => {
    const externalId = `${'ü'.repeat(99)}😀`;
    const result = await mutate('cancelCashout', { cashoutId: '987654321', externalId });
    expect(result.__typename).toBe('CashoutNotFoundError');
  });

  it('cancel with the wrong externalId: CashoutNotFoundError, and the cashout is untouched', async () => {
    const { cashoutId } = cashoutIn('PENDING');
    const result = await mutate('cancelCashout', { cashoutId: `${cashoutId}`, externalId: 'someone-else' });
    expect(result.__typename).toBe('CashoutNotFoundError');
    expect(service.sandbox.get(cashoutId)?.status).toBe('PENDING');
  });
});

describe('cashout', () => {
  it('by id: Cashout with rejection', async () => {
    expect(await lookup({ cashoutId: '1008' })).toEqual({
      __typename: 'Cashout',
      cashoutId: '1008',
      externalId: null,
      status: 'REJECTED',
      statusCode: 3,
      statusDescription: 'Rejected',
      rejection: { code: 800, reason: 'ERROR_ACCOUNT_INCORRECT' },
    });
  });

  it('by externalId: cashoutId is null (D24 does not echo it)', async () => {
    expect(await lookup({ externalId: 'seed-completed-1007' })).toMatchObject({
      __typename: 'Cashout',
      cashoutId: null,
      externalId: 'seed-completed-1007',
      status: 'COMPLETED',
      rejection: null,
    });
  });

  it('with neither id: ValidationError, nothing sent', async () => {
    service.sandbox.clearRequests();
    expect(await lookup({})).toMatchObject({ __typename: 'ValidationError', issues: [{ path: [] }] });
    expect(service.sandbox.requests).toHaveLength(0);
  });

  it('unknown: CashoutNotFoundError', async () => {
    expect(await lookup({ cashoutId: '31337' })).toMatchObject({
      __typename: 'CashoutNotFoundError',
      code: 509,
    });
  });

  it('a D24 error code: D24RequestError', async () => {
    service.sandbox.faults.forCashout(1007, { kind: 'code', code: 302, httpStatus: 401 }, 1);
    expect(await lookup({ cashoutId: '1007' })).toMatchObject({
      __typename: 'D24RequestError',
      kind: 'INVALID_SIGNATURE',
    });
  });

  it('a hang past D24_TIMEOUT_MS: D24UnavailableError UNKNOWN', async () => {
    service.sandbox.faults.forCashout(1007, { kind: 'hang' }, 1);
    expect(await lookup({ cashoutId: '1007' })).toMatchObject({
      __typename: 'D24UnavailableError',
      outcome: 'UNKNOWN',
    });
  });
});

describe('D24 unreachable', () => {
  it('every root field answers D24UnavailableError { outcome: NOT_APPLIED }', async () => {
    const unreachable = await startTestService({
      D24_BASE_URL: 'http://127.0.0.1:9',
      D24_LOGIN: 'l',
      D24_PASS: 'p',
      D24_SECRET_KEY: 'k',
      AUTH_DISABLED: 'true',
    });
    try {
      const { body } = await unreachable.graphql<{ cashout: unknown }>(OPS.cashout, { cashoutId: '1001' });
      expect(body.data?.cashout).toMatchObject({
        __typename: 'D24UnavailableError',
        outcome: 'NOT_APPLIED',
        retryable: true,
      });
      for (const { field } of MUTATIONS) {
        const input = inputFor(field, { cashoutId: '1001', externalId: 'seed-pending-1001' });
        const answer = await unreachable.graphql<Record<string, unknown>>(OPS[field], { input });
        expect(answer.body.data?.[field]).toMatchObject({
          __typename: 'D24UnavailableError',
          outcome: 'NOT_APPLIED',
        });
      }
    } finally {
      await unreachable.close();
    }
  });
});
