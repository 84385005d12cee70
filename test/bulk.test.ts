import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CashoutStatus } from '../src/d24/wire.js';
import type { Fault } from '../src/sandbox/index.js';
import { exampleDocument } from '../src/server/http/examples.js';
import { LIMITS } from '../src/server/security/armor.js';
import { expectedResult, type Plan, stateLie } from './support/expectations.js';
import { captureLogs } from './support/logs.js';
import { type MutationField, OPERATIONS, type TypedResult } from './support/operations.js';
import { startTestService, type TestService } from './support/service.js';
import { bearer, hs256Token, TEST_SECRET } from './support/tokens.js';

// docs/contract.md "Bulk actions", over HTTP with real tokens.
const BULK: Record<MutationField, { field: string; document: string }> = {
  holdCashout: { field: 'holdCashouts', document: exampleDocument('holdCashouts') },
  releaseCashout: { field: 'releaseCashouts', document: exampleDocument('releaseCashouts') },
  cancelCashout: { field: 'cancelCashouts', document: exampleDocument('cancelCashouts') },
};
const ALL = 'cashouts:read cashouts:hold cashouts:release cashouts:cancel';

let service: TestService;
let alice: Record<string, string>;
const logs = captureLogs();
beforeAll(async () => {
  service = await startTestService(
    { AUTH_JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '0', D24_TIMEOUT_MS: '1000' },
    { audit: logs.audit },
  );
  alice = bearer(await hs256Token({ claims: { sub: 'alice', scope: ALL } }));
});
afterAll(() => service.close());

interface Item {
  cashoutId: number;
  externalId: string;
}

function bulkInput(single: MutationField, items: Item[], reason?: string) {
  return single === 'cancelCashout'
    ? {
        cashouts: items.map(({ cashoutId, externalId }) => ({ cashoutId: `${cashoutId}`, externalId })),
        reason,
      }
    : { cashoutIds: items.map((item) => `${item.cashoutId}`), reason };
}

async function runBulk(single: MutationField, items: Item[], headers = alice, reason?: string) {
  const { field, document } = BULK[single];
  const { status, body } = await service.graphql<
    Record<string, { __typename: string; results?: TypedResult[] }>
  >(document, { input: bulkInput(single, items, reason) }, headers);
  return { status, body, result: body.data?.[field] };
}

const STATUSES: CashoutStatus[] = ['PENDING', 'ON_HOLD', 'COMPLETED', 'DELIVERED', 'CANCELLED', 'REJECTED'];
// One fault per item, every kind the fault matrix plays that ends within the test's D24 timeout.
const FAULTS: (Fault | null)[] = [
  null,
  null,
  // Past the service's D24_TIMEOUT_MS (1000): an answer that comes too late.
  { kind: 'delay', ms: 1_500, apply: true },
  { kind: 'delay', ms: 1_500, apply: false },
  { kind: 'reset', apply: false },
  { kind: 'reset', apply: true },
  { kind: 'http5xx', apply: false },
  { kind: 'malformed', apply: true },
  ...[300, 302, 401, 402, 502, 509, 510, 521, 524, 702, 777].map((code) => ({ kind: 'code', code }) as Fault),
];

describe('each item answers exactly what the single mutation answers', () => {
  for (const single of ['holdCashout', 'releaseCashout', 'cancelCashout'] as const) {
    it(`${BULK[single].field}: mixed faults, one per item, against the sandbox's state`, async () => {
      // Every status × every fault, twice: one cashout for the bulk, its twin for the single mutation.
      const plans: { bulk: Plan; twin: Plan }[] = [];
      for (const initial of STATUSES) {
        for (const fault of FAULTS) {
          const [bulk, twin] = [0, 1].map(() => {
            const { cashoutId, externalId } = service.sandbox.create({ status: initial });
            if (fault) service.sandbox.faults.forCashout(cashoutId, { ...fault }, 1);
            return { cashoutId, externalId, initial, fault };
          }) as [Plan, Plan];
          plans.push({ bulk, twin });
        }
      }
      const problems: string[] = [];
      for (let start = 0; start < plans.length; start += 100) {
        const chunk = plans.slice(start, start + 100);
        const { result } = await runBulk(
          single,
          chunk.map((p) => p.bulk),
          alice,
          'bulk',
        );
        expect(result?.__typename).toMatch(/CashoutsSuccess$/);
        const singles = await Promise.all(
          chunk.map(async ({ twin }) => {
            const { body } = await service.graphql<Record<string, TypedResult>>(
              OPERATIONS[single],
              {
                input: {
                  cashoutId: `${twin.cashoutId}`,
                  ...(single === 'cancelCashout' && { externalId: twin.externalId }),
                },
              },
              alice,
            );
            return body.data?.[single] as TypedResult;
          }),
        );
        chunk.forEach(({ bulk, twin }, i) => {
          const item = result?.results?.[i] as TypedResult;
          const normal = (r: TypedResult, plan: Plan) =>
            JSON.stringify(r).replaceAll(`${plan.cashoutId}`, 'ID').replaceAll(plan.externalId, 'EXT');
          const where = `${bulk.initial} ${JSON.stringify(bulk.fault)}`;
          if (normal(item, bulk) !== normal(singles[i] as TypedResult, twin)) {
            problems.push(
              `${where}: bulk ${normal(item, bulk)} vs single ${normal(singles[i] as TypedResult, twin)}`,
            );
          }
          try {
            expect(item).toMatchObject(expectedResult(single, bulk));
          } catch {
            problems.push(
              `${where}: expected ${JSON.stringify(expectedResult(single, bulk))}, got ${JSON.stringify(item)}`,
            );
          }
          const lie = stateLie(single, bulk, item, service.sandbox.get(bulk.cashoutId)?.status);
          if (lie) problems.push(lie);
        });
      }
      expect(problems.slice(0, 8), `${problems.length} of ${plans.length} items wrong`).toEqual([]);
    }, 60_000);
  }
});

describe('the whole request', () => {
  it(`sends at most 8 of one bulk's calls to D24 at a time`, async () => {
    const items = Array.from({ length: 30 }, () => {
      const item = service.sandbox.create({ status: 'PENDING' });
      // Slow enough that every call overlaps the next ones.
      service.sandbox.faults.forCashout(item.cashoutId, { kind: 'delay', ms: 150, apply: true }, 1);
      return item;
    });
    service.sandbox.resetRequestConcurrency();
    const { result } = await runBulk('holdCashout', items);
    expect(result?.results?.map((r) => r.__typename)).toEqual(items.map(() => 'HoldCashoutSuccess'));
    expect(service.sandbox.requestConcurrency().max).toBe(8);
  });

  it('validates the whole input first: an invalid id, a duplicate or 101 items is one ValidationError, nothing sent', async () => {
    const ok = service.sandbox.create({ status: 'PENDING' });
    const sent = service.sandbox.requests.length;
    const events = (await service.ledger.history(`${ok.cashoutId}`, { first: 5 })).items.length;
    const cases = [
      { cashoutIds: [`${ok.cashoutId}`, 'abc'], paths: [['input', 'cashoutIds', '1']] },
      { cashoutIds: [`${ok.cashoutId}`, '7', `${ok.cashoutId}`], paths: [['input', 'cashoutIds', '2']] },
      {
        cashoutIds: Array.from({ length: 101 }, (_, i) => `${200_000 + i}`),
        paths: [['input', 'cashoutIds']],
      },
      { cashoutIds: [], paths: [['input', 'cashoutIds']] },
    ];
    for (const { cashoutIds, paths } of cases) {
      const { body } = await service.graphql<{
        holdCashouts: { __typename: string; issues: { path: string[] }[] };
      }>(BULK.holdCashout.document, { input: { cashoutIds } }, alice);
      expect(body.data?.holdCashouts.__typename).toBe('ValidationError');
      expect(body.data?.holdCashouts.issues.map((issue) => issue.path)).toEqual(paths);
    }
    const cancel = await runBulk('cancelCashout', [ok, { cashoutId: ok.cashoutId + 1, externalId: '' }]);
    expect(cancel.result).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'cashouts', '1', 'externalId'] }],
    });
    const reason = await runBulk('releaseCashout', [ok], alice, 'bell\u0007');
    expect(reason.result).toMatchObject({
      __typename: 'ValidationError',
      issues: [{ path: ['input', 'reason'] }],
    });
    expect(service.sandbox.requests.length).toBe(sent);
    expect((await service.ledger.history(`${ok.cashoutId}`, { first: 5 })).items).toHaveLength(events);
  });

  it('writes one ledger event and one audit event per item, with the one reason', async () => {
    const items = [0, 1, 2].map(() => service.sandbox.create({ status: 'ON_HOLD' }));
    logs.clear();
    const { result } = await runBulk('releaseCashout', items, alice, 'KYC passed');
    expect(result?.results?.map((r) => r.__typename)).toEqual([
      'ReleaseCashoutSuccess',
      'ReleaseCashoutSuccess',
      'ReleaseCashoutSuccess',
    ]);
    for (const item of items) {
      expect((await service.ledger.history(`${item.cashoutId}`, { first: 5 })).items).toMatchObject([
        {
          action: 'RELEASE',
          actor: 'alice',
          reason: 'KYC passed',
          resultType: 'ReleaseCashoutSuccess',
          changed: true,
        },
      ]);
    }
    expect(logs.auditLines()).toMatchObject(
      items.map((item) => ({
        operation: 'releaseCashouts',
        actor: 'alice',
        cashoutId: `${item.cashoutId}`,
        resultType: 'ReleaseCashoutSuccess',
        changed: true,
      })),
    );
  });

  it("needs the single mutation's scope", async () => {
    const reader = bearer(
      await hs256Token({ claims: { sub: 'reader', scope: 'cashouts:read cashouts:release' } }),
    );
    const item = service.sandbox.create({ status: 'PENDING' });
    const { body } = await runBulk('holdCashout', [item], reader);
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(service.sandbox.get(item.cashoutId)?.status).toBe('PENDING');
  });

  it(`passes every limit with 100 items and the example selection; 100 aliased single mutations stay refused`, async () => {
    const items = Array.from({ length: 100 }, () => service.sandbox.create({ status: 'PENDING' }));
    const { body } = await runBulk('holdCashout', items);
    expect(body.errors).toBeUndefined();
    expect(body.data?.holdCashouts?.results).toHaveLength(100);
    // The ids written into the document itself: 100 more tokens, still under the token limit.
    const more = Array.from({ length: 100 }, () => service.sandbox.create({ status: 'PENDING' }));
    const inline = BULK.holdCashout.document
      .replace('mutation HoldCashouts($input: HoldCashoutsInput!)', 'mutation HoldCashouts')
      .replace(
        'holdCashouts(input: $input)',
        `holdCashouts(input: {cashoutIds: [${more.map((i) => `"${i.cashoutId}"`).join(', ')}]})`,
      );
    const literal = await service.graphql<{ holdCashouts: { results: unknown[] } }>(inline, {}, alice);
    expect(literal.body.errors).toBeUndefined();
    expect(literal.body.data?.holdCashouts.results).toHaveLength(100);

    const sent = service.sandbox.requests.length;
    const aliased = `mutation { ${Array.from({ length: 100 }, (_, i) => `a${i}: holdCashout(input: {cashoutId: "${300_000 + i}"}) { __typename }`).join(' ')} }`;
    const refused = await service.graphql(aliased, {}, alice);
    // 100 aliases are over the token limit before aliases are even counted; a few more than 5 meet the alias limit.
    expect(refused.body.errors?.[0]?.message).toMatch(/Token limit of 1000 exceeded/);
    const aliases = LIMITS.aliases + 1;
    const few = `mutation { ${Array.from({ length: aliases }, (_, i) => `a${i}: holdCashout(input: {cashoutId: "${300_000 + i}"}) { __typename }`).join(' ')} }`;
    const alsoRefused = await service.graphql(few, {}, alice);
    expect(alsoRefused.body.errors?.[0]?.message).toMatch(
      new RegExp(`Aliases limit of ${LIMITS.aliases} exceeded`),
    );
    expect(service.sandbox.requests.length).toBe(sent);
  });
});

describe('the rate limit', () => {
  let limited: TestService;
  beforeAll(async () => {
    limited = await startTestService({ AUTH_JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '20' });
  });
  afterAll(() => limited.close());

  it('charges one per item before any call: 50 items with about 10 left is refused whole, D24 not called', async () => {
    const create = (n: number) =>
      Array.from({ length: n }, () => `${limited.sandbox.create({ status: 'PENDING' }).cashoutId}`);
    const first = await limited.graphql<{ holdCashouts: { results: unknown[] } }>(
      BULK.holdCashout.document,
      { input: { cashoutIds: create(10) } },
      alice,
    );
    expect(first.body.data?.holdCashouts.results).toHaveLength(10);
    const sent = limited.sandbox.requests.length;
    const ids = create(50);
    const refused = await limited.graphql(BULK.holdCashout.document, { input: { cashoutIds: ids } }, alice);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(limited.sandbox.requests.length).toBe(sent);
    expect(ids.every((id) => limited.sandbox.get(Number(id))?.status === 'PENDING')).toBe(true);
    // What is left still pays for a smaller bulk.
    const small = await limited.graphql<{ holdCashouts: { results: unknown[] } }>(
      BULK.holdCashout.document,
      { input: { cashoutIds: ids.slice(0, 5) } },
      alice,
    );
    expect(small.body.data?.holdCashouts.results).toHaveLength(5);
  });
});
