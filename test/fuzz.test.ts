import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzOptions, literalArgs, serialize, variablesArb } from './support/fuzz.js';
import { captureLogs } from './support/logs.js';
import {
  FIELDS,
  type Field,
  isValidCashoutId,
  isValidExternalId,
  MEMBERS,
  OPERATIONS,
  wireProblem,
} from './support/operations.js';
import { startTestService, type TestService } from './support/service.js';
import { bearer, hs256Token, TEST_SECRET } from './support/tokens.js';

// Per root field: RUNS cases through variables and LITERAL_RUNS through inline literals (4 × 2,600 = 10,400).
const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const LITERAL_RUNS = Math.ceil(RUNS * 0.3);

let service: TestService;
let cases = 0;
// How many cases the oracle found valid, and what came back: proof that the fuzzer reaches D24 too.
let validCases = 0;
const answers = new Map<string, number>();
beforeAll(async () => {
  // Thousands of mutations from one principal: the rate limit has its own tests.
  service = await startTestService({ RATE_LIMIT_PER_MINUTE: '0' });
});
afterAll(async () => {
  await service?.close();
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const present = (value: unknown) => value !== undefined && value !== null;

/** docs/contract.md's input rules applied to the variables as the server parses them. */
function contractValid(field: Field, variables: unknown): boolean {
  if (variables === null) variables = {};
  if (!isObject(variables)) return false;
  if (field === 'cashout') {
    const { cashoutId, externalId } = variables;
    return (
      (present(cashoutId) || present(externalId)) &&
      (!present(cashoutId) || isValidCashoutId(cashoutId)) &&
      (!present(externalId) || isValidExternalId(externalId))
    );
  }
  const { input } = variables;
  if (!isObject(input)) return false;
  const allowed = field === 'cancelCashout' ? ['cashoutId', 'externalId'] : ['cashoutId'];
  if (Object.keys(input).some((key) => !allowed.includes(key))) return false;
  return (
    isValidCashoutId(input.cashoutId) && (field !== 'cancelCashout' || isValidExternalId(input.externalId))
  );
}

/** One request, in process (app.fetch: no HTTP), checked against the union, the oracle and the sandbox log. */
async function check(field: Field, body: string, valid: boolean): Promise<void> {
  cases++;
  if (valid) validCases++;
  service.sandbox.clearRequests();
  const response = await service.app.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    },
    body,
  });
  const text = await response.text();
  let json: { data?: Record<string, { __typename?: string } | null>; errors?: unknown[] };
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}, body is not JSON: ${text.slice(0, 200)}`);
  }
  const received = service.sandbox.requests;
  for (const request of received) {
    const problem = wireProblem(request.method, request.rawBody);
    if (problem) throw new Error(`the sandbox received ${problem}`);
  }
  if (response.status === 200) {
    const typename = json.data?.[field]?.__typename;
    if (json.errors || !typename || !MEMBERS[field].has(typename)) {
      throw new Error(`HTTP 200 without a typed result: ${text.slice(0, 300)}`);
    }
    answers.set(typename, (answers.get(typename) ?? 0) + 1);
    if (valid && typename === 'ValidationError')
      throw new Error(`valid input refused: ${text.slice(0, 300)}`);
    if (!valid && typename !== 'ValidationError')
      throw new Error(`invalid input accepted: ${text.slice(0, 300)}`);
  } else {
    if (response.status < 400 || response.status > 499) {
      throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
    }
    if (!Array.isArray(json.errors) || json.errors.length === 0)
      throw new Error(`4xx without errors: ${text}`);
    answers.set(`HTTP ${response.status}`, (answers.get(`HTTP ${response.status}`) ?? 0) + 1);
    if (valid) throw new Error(`valid input answered HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  if (!valid && received.length > 0) throw new Error(`invalid input reached the sandbox: ${received.length}`);
}

describe.each(FIELDS)('%s', (field) => {
  it(`answers ${RUNS} fuzzed variable sets with a typed result or a 4xx, never sending bad ids`, async () => {
    await fc.assert(
      fc.asyncProperty(variablesArb[field], async (variables) => {
        const text = serialize(variables);
        const parsed = JSON.parse(text);
        await check(
          field,
          `{"query":${JSON.stringify(OPERATIONS[field])},"variables":${text}}`,
          contractValid(field, parsed),
        );
      }),
      fuzzOptions(RUNS),
    );
  }, 120_000);

  it(`answers ${LITERAL_RUNS} fuzzed inline literals the same way`, async () => {
    await fc.assert(
      fc.asyncProperty(literalArgs(field), async ({ args, valid }) => {
        const query =
          field === 'cashout'
            ? `query { cashout${args} { __typename ... on Error { message } } }`
            : `mutation { ${field}(input: ${args}) { __typename ... on Error { message } } }`;
        await check(field, JSON.stringify({ query }), valid);
      }),
      fuzzOptions(LITERAL_RUNS),
    );
  }, 120_000);
});

afterAll(() => {
  // The issue asks for at least 10,000 cases in CI (with the default FUZZ_RUNS).
  if (RUNS >= 2_000) expect(cases).toBeGreaterThanOrEqual(10_000);
  // Both sides of the oracle are exercised: valid input reaches D24, invalid input is refused both ways.
  expect(validCases / cases).toBeGreaterThan(0.1);
  expect(answers.get('ValidationError')).toBeGreaterThan(cases * 0.05);
  expect(answers.get('HTTP 400')).toBeGreaterThan(cases * 0.05);
  console.info(`fuzz: ${cases} cases, ${validCases} valid;`, Object.fromEntries(answers));
});

// The refusal paths, over HTTP: whatever the variables, a refusal keeps its status and request id, and a refused
// mutation writes its audit event (one per request here: each document has one mutation field).
const REFUSAL_RUNS = Math.ceil(RUNS * 0.15);
describe('refusals with arbitrary variables', () => {
  const logs = captureLogs();
  let secured: TestService;
  let counter = 0;
  beforeAll(async () => {
    secured = await startTestService(
      { AUTH_JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '1' },
      { logger: logs.logger, audit: logs.audit },
    );
  });
  afterAll(() => secured?.close());

  /** Sends one request; checks status, request id, the error code and the audit trail. */
  async function refused(
    field: Field,
    variables: string,
    headers: Record<string, string>,
    expected: Expected,
  ) {
    const requestId = `fuzz-refusal-${++counter}`;
    logs.clear();
    const response = await fetch(`${secured.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers },
      body: `{"query":${JSON.stringify(OPERATIONS[field])},"variables":${variables}}`,
    });
    const text = await response.text();
    const codes = ((JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] }).errors ?? []).map(
      (e) => e.extensions?.code,
    );
    const answer = `HTTP ${response.status} ${[...new Set(codes.filter(Boolean))].join(',')}`;
    if (!expected.answers.includes(answer)) throw new Error(`${answer}: ${text.slice(0, 300)}`);
    if (response.headers.get('x-request-id') !== requestId) throw new Error(`no x-request-id: ${answer}`);
    const events = logs.auditLines().filter((line) => line.requestId === requestId);
    const audited = field !== 'cashout' && !answer.startsWith('HTTP 400');
    if (events.length !== (audited ? 1 : 0) || (audited && events[0]?.resultType !== expected.resultType)) {
      throw new Error(`${answer} wrote ${JSON.stringify(events).slice(0, 300)}`);
    }
    if (events[0] && events[0].cashoutId !== null && typeof events[0].cashoutId !== 'string') {
      throw new Error(`cashoutId not a string: ${JSON.stringify(events[0])}`);
    }
  }

  interface Expected {
    answers: string[];
    resultType: string;
  }
  // A body whose variables are not an object at all is not a GraphQL request: 400 for whoever sent it, once the
  // token is checked.
  const MALFORMED = 'HTTP 400 BAD_REQUEST';
  let spent: Record<string, string> | undefined;
  const cases: [string, () => Promise<Record<string, string>>, Expected, readonly Field[]][] = [
    [
      'no token',
      async () => ({}),
      { answers: ['HTTP 401 UNAUTHENTICATED'], resultType: 'UNAUTHENTICATED' },
      FIELDS,
    ],
    [
      'a token without the scope',
      // A subject per request: the rate limit (checked before the fields, and their scopes) is not what is tested.
      async () =>
        bearer(await hs256Token({ claims: { sub: `fuzz-no-scope-${counter}`, scope: 'cashouts:other' } })),
      // Variables that do not coerce are a bad request (400) before any field, and its scope, is reached.
      { answers: ['HTTP 200 FORBIDDEN', 'HTTP 400 ', MALFORMED], resultType: 'FORBIDDEN' },
      FIELDS,
    ],
    [
      'a token whose budget is spent',
      async () => {
        if (spent) return spent;
        const scope = 'cashouts:hold cashouts:release cashouts:cancel';
        spent = bearer(await hs256Token({ claims: { sub: 'fuzz-spent', scope } }));
        await secured.graphql(OPERATIONS.holdCashout, { input: { cashoutId: 'x' } }, spent);
        return spent;
      },
      { answers: ['HTTP 429 RATE_LIMITED', MALFORMED], resultType: 'RATE_LIMITED' },
      ['holdCashout', 'releaseCashout', 'cancelCashout'],
    ],
  ];
  describe.each(cases)('%s', (_name, headersOf, expected, fields) => {
    it.each(fields)(
      `%s: ${REFUSAL_RUNS} fuzzed variable sets keep the refusal's status and write its event`,
      async (field) => {
        await fc.assert(
          fc.asyncProperty(variablesArb[field], async (variables) => {
            await refused(field, serialize(variables), await headersOf(), expected);
          }),
          fuzzOptions(REFUSAL_RUNS),
        );
      },
      120_000,
    );
  });
});
