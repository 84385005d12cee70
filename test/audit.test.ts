import { GraphQLError } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Context } from '../src/schema/builder.js';
import { schema } from '../src/schema/index.js';
import { createAudit } from '../src/server/audit.js';
import { requestIdOf, useRequestId } from '../src/server/request-id.js';
import { observeRootFields } from '../src/server/root-fields.js';
import { captureLogs } from './support/logs.js';
import { startTestService, type TestService } from './support/service.js';

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
});

describe('the audit event of a refused mutation', () => {
  // The schema, audit and request id as createApp wires them, with a principal and a refusing plugin chosen by
  // the test: a stand-in for the auth branch's plugins, which produce the same top-level errors.
  function appWith(options: { scopes?: string[]; refuse?: Plugin }) {
    const logged = captureLogs();
    const audit = createAudit({ logger: logged.audit });
    const yoga = createYoga<Record<string, never>, Context>({
      schema: observeRootFields(schema, audit.observe),
      logging: false,
      plugins: [
        useRequestId({ logger: logged.logger }),
        audit.plugin,
        ...(options.refuse ? [options.refuse] : []),
      ],
      context: ({ request }) => ({
        d24: service.d24,
        requestId: requestIdOf(request),
        log: logged.logger,
        principal: { subject: 'operator-7', scopes: new Set(options.scopes ?? []) },
      }),
    });
    const post = (query: string, variables?: Record<string, unknown>) =>
      yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'refused-1' },
        body: JSON.stringify({ query, variables }),
      });
    return { post, logged };
  }

  it('is FORBIDDEN, naming the actor, when the token lacks the scope', async () => {
    const { post, logged } = appWith({ scopes: ['cashouts:read'] });
    const response = await post(HOLD, { input: { cashoutId: '1001' } });
    const body = await response.json();
    expect(body.errors?.[0]?.message).toBeDefined();
    expect(logged.auditLines()).toEqual([
      expect.objectContaining({
        actor: 'operator-7',
        operation: 'holdCashout',
        cashoutId: '1001',
        resultType: 'FORBIDDEN',
        requestId: 'refused-1',
      }),
    ]);
    expect(service.sandbox.get(1001)?.status).toBe('PENDING');
  });

  const unauthenticated = () =>
    new GraphQLError('Authentication required.', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  it.each([
    ['while reading the request', { onParams: () => Promise.reject(unauthenticated()) } satisfies Plugin],
    [
      'while building the context',
      {
        onContextBuilding: () => {
          throw unauthenticated();
        },
      } satisfies Plugin,
    ],
  ])('is UNAUTHENTICATED, with no actor, when the token is refused %s', async (_when, refuse) => {
    const { post, logged } = appWith({ refuse });
    const response = await post(CANCEL, { input: { cashoutId: '1002', externalId: 'seed-pending-1002' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toBe('refused-1');
    expect(logged.auditLines()).toEqual([
      expect.objectContaining({
        actor: null,
        operation: 'cancelCashout',
        cashoutId: '1002',
        externalId: 'seed-pending-1002',
        resultType: 'UNAUTHENTICATED',
        requestId: 'refused-1',
      }),
    ]);
  });

  it('is RATE_LIMITED with the actor when a limit refuses the operation before it runs', async () => {
    const { post, logged } = appWith({
      scopes: ['cashouts:hold'],
      refuse: {
        onExecute({ setResultAndStopExecution }) {
          setResultAndStopExecution({
            errors: [new GraphQLError('Too many requests.', { extensions: { code: 'RATE_LIMITED' } })],
          });
        },
      },
    });
    await post(HOLD, { input: { cashoutId: '1003' } });
    expect(logged.auditLines()).toEqual([
      expect.objectContaining({ actor: 'operator-7', operation: 'holdCashout', resultType: 'RATE_LIMITED' }),
    ]);
  });

  it('is not written for a refused query', async () => {
    const { post, logged } = appWith({ refuse: { onParams: () => Promise.reject(unauthenticated()) } });
    await post('{ cashout(cashoutId: "1001") { __typename } }');
    expect(logged.auditLines()).toEqual([]);
  });
});
