import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

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

/** A JSON token written as is into the request body (numbers JSON.stringify cannot produce). */
class Raw {
  constructor(readonly text: string) {}
}

function serialize(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, inner]) => `${JSON.stringify(key)}:${serialize(inner)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// Characters that break naive handling: controls, lone surrogates, BOM, RTL marks, astral, combining marks.
const nastyChar = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\ufeff', '\u200e', '\u202e', '\u0301', '😀', '𝟙', '١', '９', '"', '\\', '{', '$'),
);
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: fc.oneof(fc.string({ minLength: 1, maxLength: 1 }), nastyChar), maxLength: 110 }),
  fc.string({ unit: 'grapheme', minLength: 95, maxLength: 105 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'undefined',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x1F',
    '1e3',
    '1.0',
    '+1',
    ' 1',
  ),
);
const MAX = 2n ** 53n - 1n;
const numericString = fc.oneof(
  fc.bigInt({ min: 1n, max: MAX }).map(String),
  fc.bigInt({ min: MAX - 3n, max: MAX + 3n }).map(String),
  fc.bigInt({ min: MAX + 1n, max: 10n ** 40n }).map(String),
  fc.bigInt({ min: -(10n ** 20n), max: 0n }).map(String),
  fc.bigInt({ min: 1n, max: 10n ** 6n }).map((n) => `0${n}`),
  fc.double().map(String),
  fc.constantFrom('1001', '1004', '1006', '1009', '100000', '9007199254740991', '9007199254740992'),
);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(1001, 1004, 2 ** 53, 2 ** 53 - 1, -1, 0, 0.5, 1e21, Number.MAX_VALUE),
  fc
    .constantFrom(
      '9007199254740993',
      '1e400',
      '-1e400',
      '-0',
      '1.0',
      '1e3',
      '1001.000',
      '1E2',
      '123456789012345678901234567890',
    )
    .map((text) => new Raw(text)),
);
const scalar = fc.oneof(anyString, numericString, anyNumber, fc.boolean(), fc.constant(null));
// Keys that turn a naive String(value), `in` or spread of caller input into a crash or a prototype change.
const objectKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('toString', 'valueOf', '__proto__', 'constructor', 'then', 'toJSON'),
  },
);
// Any JSON value, scalars weighted towards the nasty ones above.
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(objectKey, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const validId = fc.oneof(
  fc.bigInt({ min: 1n, max: MAX }).map(String),
  fc.constantFrom('1001', '1002', '1004', '1005', '1006', '1008', '1009', 1003, 1005),
);
// Objects whose String() throws, or that look like something else: what crashed the audit of refusals once.
const hostile = fc.oneof(
  fc.constantFrom({ toString: 1 }, { valueOf: 'x', toString: null }, { toJSON: 1 }, { __proto__: { x: 1 } }),
  fc.dictionary(objectKey, scalar, { minKeys: 1, maxKeys: 2 }),
);
const idValue = fc.oneof(
  { weight: 2, arbitrary: validId },
  numericString,
  anyNumber,
  scalar,
  anyValue,
  hostile,
);
const externalIdValue = fc.oneof(
  { weight: 3, arbitrary: anyString },
  { weight: 1, arbitrary: fc.constantFrom('seed-pending-1002', 'seed-on-hold-1004', 'seed-rejected-1008') },
  { weight: 1, arbitrary: anyValue },
  { weight: 1, arbitrary: hostile },
);
/** A value, or the key left out altogether. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });

function inputObject(keys: ('cashoutId' | 'externalId')[]): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(
    keys.map((key) => [key, maybe(key === 'cashoutId' ? idValue : externalIdValue)]),
  ) as Record<string, fc.Arbitrary<unknown>>;
  const record = fc.record(fields, { requiredKeys: [] });
  return fc.oneof(
    { weight: 6, arbitrary: record },
    // An unknown field next to the right ones.
    {
      weight: 1,
      arbitrary: fc
        .tuple(record, fc.string({ minLength: 1, maxLength: 8 }), anyValue)
        .map(([base, key, value]) => ({ ...(base as object), [key]: value })),
    },
    { weight: 1, arbitrary: anyValue },
  );
}

const variablesArb: Record<Field, fc.Arbitrary<unknown>> = {
  cashout: fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record(
        { cashoutId: maybe(idValue), externalId: maybe(externalIdValue) },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: anyValue },
  ),
  holdCashout: fc.oneof(
    { weight: 8, arbitrary: fc.record({ input: maybe(inputObject(['cashoutId'])) }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: anyValue },
  ),
  releaseCashout: fc.oneof(
    { weight: 8, arbitrary: fc.record({ input: maybe(inputObject(['cashoutId'])) }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: anyValue },
  ),
  cancelCashout: fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({ input: maybe(inputObject(['cashoutId', 'externalId'])) }, { requiredKeys: [] }),
    },
    { weight: 1, arbitrary: anyValue },
  ),
};

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
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
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
      { numRuns: LITERAL_RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
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
          { numRuns: REFUSAL_RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
        );
      },
      120_000,
    );
  });
});

/** A GraphQL literal, with what the ID and String scalars make of it (undefined: they refuse it). */
interface Literal {
  text: string;
  asId: string | undefined;
  asString: string | undefined;
}

const literal: fc.Arbitrary<Literal> = fc.oneof(
  fc.oneof(anyString, numericString).map((s) => ({ text: JSON.stringify(s), asId: s, asString: s })),
  fc
    .oneof(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: 1n, max: MAX }))
    .map((n) => ({ text: String(n), asId: String(n), asString: undefined })),
  fc.constantFrom<Literal>(
    ...['1.5', '1e3', 'true', 'null', 'PENDING', '[1]', '{a: 1}', '$x', '"\\uD800"', ')'].map((text) => ({
      text,
      asId: undefined,
      asString: undefined,
    })),
    { text: '"""block"""', asId: 'block', asString: 'block' },
    { text: '"\\u{1F600}"', asId: '😀', asString: '😀' },
    { text: '"""1001"""', asId: '1001', asString: '1001' },
  ),
);
const ok = (value: string | undefined, rule: (v: string) => boolean) => value !== undefined && rule(value);

function literalArgs(field: Field): fc.Arbitrary<{ args: string; valid: boolean }> {
  if (field === 'cashout') {
    return fc.record({ id: maybe(literal), ext: maybe(literal) }).map(({ id, ext }) => {
      const parts = [...(id ? [`cashoutId: ${id.text}`] : []), ...(ext ? [`externalId: ${ext.text}`] : [])];
      const nonNull = (l: Literal | undefined) => l !== undefined && l.text !== 'null';
      const fine = (l: Literal | undefined, rule: (v: string) => boolean, as: 'asId' | 'asString') =>
        l === undefined || l.text === 'null' || ok(l[as], rule);
      return {
        args: parts.length ? `(${parts.join(', ')})` : '',
        valid:
          (nonNull(id) || nonNull(ext)) &&
          fine(id, isValidCashoutId, 'asId') &&
          fine(ext, isValidExternalId, 'asString'),
      };
    });
  }
  return fc.record({ id: literal, ext: maybe(literal) }).map(({ id, ext }) => {
    const withExt = field === 'cancelCashout' ? ext : undefined;
    const args = `{cashoutId: ${id.text}${withExt ? `, externalId: ${withExt.text}` : ''}}`;
    return {
      args,
      valid:
        ok(id.asId, isValidCashoutId) &&
        (field !== 'cancelCashout' || (withExt !== undefined && ok(withExt.asString, isValidExternalId))),
    };
  });
}
