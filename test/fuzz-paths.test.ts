import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCOPES } from '../src/context.js';
import type { CashoutStatus } from '../src/d24/wire.js';
import { SEEDED_CASHOUTS } from '../src/sandbox/index.js';
import { exampleOperations } from '../src/server/http/examples.js';
import { loadPersistedDocuments } from '../src/server/security/armor.js';
import { anyString, fuzzOptions, literalArgs, serialize, variablesArb } from './support/fuzz.js';
import { requestOnce } from './support/http.js';
import { captureLogs } from './support/logs.js';
import { FIELDS, type Field, OPERATIONS } from './support/operations.js';
import { startTestService, type TestService } from './support/service.js';
import { bearer, hs256Token, TEST_SECRET } from './support/tokens.js';

// The two request pipelines (docs/architecture.md#the-hot-path) fuzzed against each other: every request goes to a
// service with the hot path and to one with HOT_PATH=off, each on its own sandbox in the same state, and the two
// answers must be the same. Each request is sent two or three times: the hot path serves a document only from its
// second sighting (once Yoga has executed it), so the repeats are what reach it; the end checks that it did.
// Subscriptions are left out: the hot path never prepares one, and over SSE they would stay open.

// 15% of test/fuzz.test.ts's cases (300 by default: 4 to 10 s on 2 shared cores), each sent 2 or 3 times.
const RUNS = Math.ceil(Number(process.env.FUZZ_RUNS ?? 2_000) * 0.15);
// Low, so that cases reach the 429 (a bulk, the repeats, a budget spent on purpose); each case has its own subject.
const LIMIT = 4;

let hot: TestService;
let yoga: TestService;
// Each service's audit trail: a refusal's event comes from Yoga's audit plugin, a served field's from the schema.
const hotLogs = captureLogs();
const yogaLogs = captureLogs();
let cases = 0;
// Cases where the hot path answered at least one of the sends: proof that the comparison is not vacuous.
let hotCases = 0;
let auditEvents = 0;
const statuses = new Map<number, number>();
const ids: { cashoutId: string; externalId: string }[] = [];

beforeAll(async () => {
  // No reconciler: its status calls to D24 would come at a time of their own, on one service and not the other.
  const env = {
    AUTH_JWT_SECRET: TEST_SECRET,
    RATE_LIMIT_PER_MINUTE: String(LIMIT),
    RECONCILE_INTERVAL_MS: '0',
  };
  [hot, yoga] = await Promise.all([
    startTestService(env, { audit: hotLogs.audit }),
    startTestService({ ...env, HOT_PATH: 'off' }, { audit: yogaLogs.audit }),
  ]);
  // Before graphql-jit loads, Yoga's own errors differ (graphql-js adds `locations`) and the hot path serves nothing.
  await Promise.all([hot.app.hotPath.ready, yoga.app.hotPath.ready]);
  // The same cashouts, made in the same order, get the same ids on both sandboxes (and both hold the seeded ones).
  const made: CashoutStatus[] = [
    'PENDING',
    'PENDING',
    'PENDING',
    'ON_HOLD',
    'ON_HOLD',
    'DELIVERED',
    'REJECTED',
  ];
  for (const status of [...made, ...made]) {
    const [a, b] = [hot.sandbox.create({ status }), yoga.sandbox.create({ status })];
    expect(b).toEqual(a);
    ids.push({ cashoutId: `${a.cashoutId}`, externalId: a.externalId });
  }
  for (const { cashoutId, externalId } of SEEDED_CASHOUTS)
    ids.push({ cashoutId: `${cashoutId}`, externalId });
}, 60_000);
afterAll(async () => {
  await Promise.all([hot?.close(), yoga?.close()]);
});

/** What a fuzz case sends as a GraphQL request, before it is put on the wire. */
interface Payload {
  query?: string;
  documentId?: string;
  operationName?: unknown;
  /** JSON text (serialize: it may hold numbers JSON.stringify cannot write). */
  variables?: string;
}

// Read when a case is drawn: `ids` is filled in beforeAll, after the arbitraries are built.
const known = () => fc.nat().map((n) => ids[n % ids.length] as { cashoutId: string; externalId: string });
const knownVariables = (field: Field): fc.Arbitrary<string> =>
  fc
    .record({ id: known(), other: known(), by: fc.constantFrom('id', 'external', 'both', 'mismatch') })
    .map(({ id, other, by }) => {
      if (field === 'cashout') {
        const byId = { cashoutId: id.cashoutId };
        const byExternal = { externalId: id.externalId };
        return JSON.stringify(
          by === 'id'
            ? byId
            : by === 'external'
              ? byExternal
              : { ...byId, externalId: (by === 'both' ? id : other).externalId },
        );
      }
      const input: Record<string, string> = { cashoutId: id.cashoutId };
      if (field === 'cancelCashout') input.externalId = (by === 'mismatch' ? other : id).externalId;
      return JSON.stringify({ input });
    });

const examples = new Map(exampleOperations().map((example) => [example.name, example]));
const example = (name: 'cashoutHistory' | 'cashouts') => examples.get(name)?.document as string;
const manifest = Object.entries(loadPersistedDocuments());
/** The persisted document whose operation calls `field` (by its documentId). */
const documentIdOf = (field: Field) =>
  (manifest.find(([, text]) => new RegExp(`\\{\\s*${field}\\(`).test(text)) as [string, string])[0];
const operationNameOf = (query: string) => /^(?:query|mutation) (\w+)/m.exec(query)?.[1];

const fieldArb = fc.constantFrom(...FIELDS);
const payloadArb: fc.Arbitrary<Payload> = fc.oneof(
  // test/fuzz.test.ts's variables on the example documents: mostly refusals and typed errors.
  {
    weight: 4,
    arbitrary: fieldArb.chain((field) =>
      variablesArb[field].map((variables) => ({ query: OPERATIONS[field], variables: serialize(variables) })),
    ),
  },
  // Cashouts both sandboxes hold: successes, invalid transitions, and state that the repeats change.
  {
    weight: 6,
    arbitrary: fieldArb.chain((field) =>
      knownVariables(field).map((variables) => ({ query: OPERATIONS[field], variables })),
    ),
  },
  // A new document per case (inline literals): its first sighting is Yoga's, the repeats the hot path's.
  {
    weight: 2,
    arbitrary: fieldArb.chain((field) =>
      literalArgs(field).map(({ args }) => ({
        query:
          field === 'cashout'
            ? `query { cashout${args} { __typename ... on Error { message } } }`
            : `mutation { ${field}(input: ${args}) { __typename ... on Error { message } } }`,
      })),
    ),
  },
  // Bulk mutations: one unit of the rate limit per item.
  {
    weight: 1,
    arbitrary: fc
      .record({
        field: fc.constantFrom('holdCashouts', 'releaseCashouts'),
        picked: fc.uniqueArray(known(), { minLength: 1, maxLength: 3, selector: (c) => c.cashoutId }),
      })
      .map(({ field, picked }) => ({
        query: examples.get(field)?.document as string,
        variables: JSON.stringify({ input: { cashoutIds: picked.map((c) => c.cashoutId) } }),
      })),
  },
  // The ledger's reads (history, listing): what the mutations above have written, on each service.
  {
    weight: 1,
    arbitrary: fc.oneof(
      known().map((c) => ({
        query: example('cashoutHistory'),
        variables: JSON.stringify({ cashoutId: c.cashoutId }),
      })),
      fc.constantFrom('PENDING', 'ON_HOLD', 'CANCELLED').map((status) => ({
        query: example('cashouts'),
        variables: JSON.stringify({ status: [status], first: 5 }),
      })),
    ),
  },
  // Several root fields: the rate limit's cost (one per mutation field), every field's scope, a fragment at the root.
  {
    weight: 1,
    arbitrary: fc.record({ a: known(), b: known(), shape: fc.nat(3) }).map(({ a, b, shape }) => {
      const pick = (field: string, c: { cashoutId: string }) =>
        `${field}(input: {cashoutId: "${c.cashoutId}"}) { __typename }`;
      return {
        query: [
          `mutation { a: ${pick('holdCashout', a)} b: ${pick('holdCashout', b)} }`,
          `mutation { h: ${pick('holdCashout', a)} r: ${pick('releaseCashout', b)} __typename }`,
          `query { __typename c: cashout(cashoutId: "${a.cashoutId}") { __typename } }`,
          `mutation { ...M } fragment M on Mutation { ${pick('holdCashout', a)} }`,
        ][shape] as string,
      };
    }),
  },
  // By persisted documentId instead of the text.
  {
    weight: 1,
    arbitrary: fieldArb.chain((field) =>
      knownVariables(field).map((variables) => ({ documentId: documentIdOf(field), variables })),
    ),
  },
  // Documents that never execute: syntax errors, unknown fields, two operations, an unknown documentId.
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom<Payload>(
        { query: '{' },
        { query: '{ nope }' },
        { query: 'query A { __typename } query B { __typename }' },
        { query: '{ cashout(cashoutId: "1001") { __typename } }', documentId: documentIdOf('cashout') },
        { documentId: 'sha256:0000' },
        {},
      ),
      anyString.map((query) => ({ query })),
    ),
  },
);

/** The operation name a payload sends: mostly none, sometimes its own, an empty one, a wrong one, a number. */
const withOperationName = (payload: Payload) =>
  fc
    .constantFrom<unknown>(undefined, undefined, undefined, undefined, 'own', null, '', 'Nope', 7)
    .map((name) => {
      if (name === undefined) return payload;
      const own = payload.query && operationNameOf(payload.query);
      return { ...payload, operationName: name === 'own' ? (own ?? 'Own') : name };
    });

type TokenKind =
  | 'none'
  | 'all'
  | 'read'
  | 'hold'
  | 'spent'
  | 'expired'
  | 'other secret'
  | 'not a JWT'
  | 'Basic';
const tokenKind = fc.constantFrom<TokenKind>(
  'all',
  'all',
  'none',
  'read',
  'hold',
  'spent',
  'expired',
  'other secret',
  'not a JWT',
  'Basic',
);

const APOLLO_ACCEPT = 'application/graphql-response+json,application/json;q=0.9';
const URQL_ACCEPT =
  'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';
/** `value` `weight` times as often as each of `others`. */
const often = <T>(value: T, weight: number, ...others: T[]) =>
  fc.oneof(
    { weight, arbitrary: fc.constant(value) },
    { weight: others.length, arbitrary: fc.constantFrom(...others) },
  );

// Accept headers Yoga answers in JSON (the hot path's), and the others: streams, nothing acceptable.
const jsonAccept = fc.constantFrom<string | undefined>(
  undefined,
  '*/*',
  'application/json',
  'application/graphql-response+json',
  APOLLO_ACCEPT,
  URQL_ACCEPT,
  'text/event-stream, application/json',
  'application/*',
  'application/json;charset=UTF-8',
  'application/graphql-response+json; charset=utf-8',
  'APPLICATION/JSON',
  '*/*;q=0.1',
);
const otherAccept = fc.constantFrom(
  'text/event-stream',
  'multipart/mixed',
  'application/json, text/event-stream',
  'text/html',
  'application/json; charset=iso-8859-1',
  'application/json;q=0',
  'text/event-stream;q=0, application/json',
);

const dimensions = {
  payload: payloadArb.chain(withOperationName),
  // How it goes on the wire: a JSON POST with a Content-Length (what the hot path takes), or something else.
  wire: often<'json' | 'get' | 'chunked' | 'gzip' | 'extra key' | 'malformed'>(
    'json',
    5,
    'get',
    'chunked',
    'gzip',
    'extra key',
    'malformed',
  ),
  malformed: fc.constantFrom(
    (text: string) => text.slice(0, Math.floor(text.length / 2)),
    (text: string) => `[${text}]`,
    (text: string) => `\ufeff${text}`,
    (text: string) => `${text}x`,
    () => 'null',
    () => '"query"',
    () => '',
  ),
  contentType: often<string | undefined>(
    'application/json',
    4,
    'application/json; charset=utf-8',
    'application/JSON;charset=UTF-8',
    'application/json; charset=iso-8859-1',
    'application/graphql-response+json',
    'text/plain',
    'application/x-www-form-urlencoded',
    undefined,
  ),
  accept: fc.oneof(jsonAccept, otherAccept),
  token: tokenKind,
  origin: fc.constantFrom(undefined, undefined, 'https://ops.example'),
  // Yoga's CSRF check wants one of these on a GET or a "simple" POST.
  csrf: fc.boolean(),
  requestId: fc.constantFrom(undefined, 'fuzz-request', 'not a plain token', 'x'.repeat(129)),
  // A header sent twice, the second time with another value: Node keeps the first of some and joins the others.
  repeated: often<keyof typeof SECOND | undefined>(
    undefined,
    2,
    'authorization',
    'accept',
    'content-type',
    'x-request-id',
    'origin',
  ),
  extensions: often<string | undefined>(
    undefined,
    2,
    '{}',
    'null',
    '[]',
    '"x"',
    '{"persistedQuery":{"version":1,"sha256Hash":"00"}}',
  ),
  sends: fc.integer({ min: 2, max: 3 }),
};
// A third of the cases fuzz every dimension at once; the others are shaped for the hot path (a JSON POST with a token,
// asking for JSON), so that enough of them reach it, or its own refusals, whatever the payload.
const caseArb = fc.oneof(
  { weight: 1, arbitrary: fc.record(dimensions) },
  {
    weight: 2,
    arbitrary: fc.record({
      ...dimensions,
      wire: fc.constant('json' as const),
      contentType: fc.constant('application/json'),
      // Mostly every scope; otherwise what the hot path must refuse itself: a missing scope, a spent budget.
      token: fc.constantFrom<TokenKind>('all', 'all', 'all', 'all', 'read', 'hold', 'spent'),
      accept: jsonAccept,
      repeated: fc.constant(undefined),
      extensions: fc.constantFrom(undefined, undefined, '{}', 'null'),
    }),
  },
);
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

async function authorization(kind: TokenKind, subject: string): Promise<Record<string, string>> {
  const all = SCOPES.join(' ');
  switch (kind) {
    case 'none':
      return {};
    case 'all':
    case 'spent':
      return bearer(await hs256Token({ claims: { sub: subject, scope: all } }));
    case 'read':
      return bearer(await hs256Token({ claims: { sub: subject, scope: 'cashouts:read' } }));
    case 'hold':
      return bearer(await hs256Token({ claims: { sub: subject, scope: 'cashouts:read cashouts:hold' } }));
    case 'expired':
      return bearer(
        await hs256Token({ claims: { sub: subject, scope: all }, expiresIn: -60, issuedAt: -120 }),
      );
    case 'other secret':
      return bearer(
        await hs256Token({ claims: { sub: subject, scope: all }, secret: `${TEST_SECRET}-other` }),
      );
    case 'not a JWT':
      return { authorization: 'Bearer not-a-jwt' };
    case 'Basic':
      return { authorization: 'Basic YWxpY2U6c2VjcmV0' };
  }
}

interface Wire {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string | string[]>;
  body?: string;
}

/** The second value of a header sent twice. */
const SECOND = {
  authorization: 'Bearer second',
  accept: 'text/html',
  'content-type': 'text/plain',
  'x-request-id': 'second',
  origin: 'https://second.example',
};

function wireOf(c: Case, headers: Record<string, string>): Wire {
  const { payload } = c;
  const fields = [
    ...(payload.query !== undefined ? [`"query":${JSON.stringify(payload.query)}`] : []),
    ...(payload.documentId !== undefined ? [`"documentId":${JSON.stringify(payload.documentId)}`] : []),
    ...(payload.operationName !== undefined
      ? [`"operationName":${JSON.stringify(payload.operationName)}`]
      : []),
    ...(payload.variables !== undefined ? [`"variables":${payload.variables}`] : []),
    ...(c.extensions !== undefined ? [`"extensions":${c.extensions}`] : []),
    ...(c.wire === 'extra key' ? ['"foo":1'] : []),
  ];
  const text = `{${fields.join(',')}}`;
  const common: Record<string, string | string[]> = {
    ...headers,
    ...(c.accept !== undefined && { accept: c.accept }),
    ...(c.origin !== undefined && { origin: c.origin }),
    ...(c.csrf && { 'x-graphql-yoga-csrf': '1' }),
    ...(c.requestId !== undefined && { 'x-request-id': c.requestId }),
  };
  if (c.wire === 'get') {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...payload, extensions: c.extensions })) {
      if (value !== undefined) search.set(name, String(value));
    }
    return { method: 'GET', path: `/graphql?${search}`, headers: twice(c, common) };
  }
  const post = {
    ...common,
    ...(c.contentType !== undefined && { 'content-type': c.contentType }),
    ...(c.wire === 'chunked' && { 'transfer-encoding': 'chunked' }),
    ...(c.wire === 'gzip' && { 'content-encoding': 'gzip' }),
  };
  return {
    method: 'POST',
    path: '/graphql',
    headers: twice(c, post),
    body: c.wire === 'malformed' ? c.malformed(text) : text,
  };
}

function twice(c: Case, headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const first = c.repeated && headers[c.repeated];
  return c.repeated && typeof first === 'string'
    ? { ...headers, [c.repeated]: [first, SECOND[c.repeated]] }
    : headers;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const UUID_TEXT = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UUID = new RegExp(`^${UUID_TEXT}$`);
const UUIDS = new RegExp(UUID_TEXT, 'g');

/**
 * An answer as compared: status, every header, the body. The normalisations, each for a difference that is not the
 * pipeline's:
 * - `date`: when each service answered;
 * - `x-request-id`, when the request had no usable one: each service makes a random UUID (it must be one); in the
 *   body, the ledger's history shows such ids of earlier requests (`requestId`), so every UUID there is one too;
 * - ISO timestamps in the body: the ledger records when each service wrote an event (history, hold's `since`),
 *   and the listing's opaque cursors hold one (base64url JSON: decoded first, then compared);
 * - a 429's retry time, by one second at most (alignRetryAfter).
 */
function comparable(answer: Awaited<ReturnType<typeof requestOnce>>, wire: Wire) {
  const { date: _date, ...headers } = answer.headers;
  let body = answer.body;
  // Node joins a repeated x-request-id with ", ", which no id matches.
  const given = [wire.headers['x-request-id'] ?? []].flat().join(', ');
  if (!(given && REQUEST_ID.test(given)) && typeof headers['x-request-id'] === 'string') {
    const generated = headers['x-request-id'];
    if (!UUID.test(generated)) throw new Error(`x-request-id ${generated} is not a UUID`);
    headers['x-request-id'] = 'UUID';
  }
  body = body
    .replace(/"(cursor|endCursor)":"([\w-]+)"/g, (whole, name: string, cursor: string) => {
      const decoded = Buffer.from(cursor, 'base64url').toString();
      return decoded.startsWith('[') ? `"${name}":${JSON.stringify(decoded)}` : whole;
    })
    .replace(UUIDS, 'UUID')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, 'TIME');
  return { status: answer.status, headers, body };
}

/**
 * A 429's retry time (header and message) is computed from each service's own clock when the request reaches it: a
 * loaded machine can put the two on either side of a second, so one second apart counts as the same (more does not).
 */
function alignRetryAfter(
  hotAnswer: ReturnType<typeof comparable>,
  yogaAnswer: ReturnType<typeof comparable>,
) {
  const [mine, theirs] = [hotAnswer.headers['retry-after'], yogaAnswer.headers['retry-after']];
  if (typeof mine !== 'string' || typeof theirs !== 'string' || Math.abs(Number(mine) - Number(theirs)) !== 1)
    return;
  hotAnswer.headers['retry-after'] = theirs;
  hotAnswer.body = hotAnswer.body
    .replace(`retry in ${mine} s`, `retry in ${theirs} s`)
    .replace(`"retryAfterSeconds":${mine}`, `"retryAfterSeconds":${theirs}`);
}

/** Sends `wire` to both services at once; returns whether the hot path answered it. */
async function exchange(wire: Wire): Promise<boolean> {
  const served = hot.app.hotPath.served();
  hot.sandbox.clearRequests();
  yoga.sandbox.clearRequests();
  hotLogs.clear();
  yogaLogs.clear();
  const [a, b] = await Promise.all([
    requestOnce(`${hot.url}${wire.path}`, wire),
    requestOnce(`${yoga.url}${wire.path}`, wire),
  ]);
  const [hotAnswer, yogaAnswer] = [comparable(a, wire), comparable(b, wire)];
  alignRetryAfter(hotAnswer, yogaAnswer);
  expect(hotAnswer, `${wire.method} ${wire.path} ${JSON.stringify(wire.headers)} ${wire.body}`).toEqual(
    yogaAnswer,
  );
  // The same calls to D24, in the same order, with the same bodies: nothing skipped or repeated on one path.
  const calls = (service: TestService) =>
    service.sandbox.requests.map((r) => `${r.method} ${r.path} ${r.rawBody}`);
  expect(calls(hot)).toEqual(calls(yoga));
  // The same audit events; `time` and `durationMs` are each service's own, and a generated request id is random.
  const audit = (logs: typeof hotLogs) =>
    logs
      .auditLines()
      .map(({ time: _time, durationMs: _duration, ...line }) => JSON.stringify(line).replace(UUIDS, 'UUID'));
  const events = audit(hotLogs);
  expect(events).toEqual(audit(yogaLogs));
  auditEvents += events.length;
  statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
  return hot.app.hotPath.served() > served;
}

it(
  `answers ${RUNS} fuzzed requests, each sent 2-3 times, the same with and without the hot path`,
  async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        cases++;
        const headers = await authorization(c.token, `fuzz-${cases}`);
        // A hold of a cashout D24 does not have: one unit of the budget, whatever the state.
        const spend = wireOf(
          {
            ...c,
            payload: { query: OPERATIONS.holdCashout, variables: '{"input":{"cashoutId":"999999"}}' },
            wire: 'json',
            contentType: 'application/json',
            accept: undefined,
          },
          headers,
        );
        const spendBudget = async () => {
          for (let i = 0; i < LIMIT; i++) await exchange(spend);
        };
        if (c.token === 'spent') await spendBudget();
        const wire = wireOf(c, headers);
        let served = false;
        for (let i = 0; i < c.sends; i++) served = (await exchange(wire)) || served;
        // What a refusal was charged (a field without its scope: nothing) shows only in the budget left.
        if (c.token === 'hold') await spendBudget();
        if (served) hotCases++;
      }),
      fuzzOptions(RUNS),
    );
    // The hot path answered a fair share of the cases (a fifth to a quarter: a JSON POST of a document Yoga executed,
    // authorized, within budget, whose variables coerce)...
    expect(hotCases).toBeGreaterThan(cases * 0.1);
    // ...and the other service never took it.
    expect(yoga.app.hotPath.served()).toBe(0);
    expect(auditEvents).toBeGreaterThan(cases * 0.5);
    // The same Prometheus counts, hot-path answers counted in Yoga's series (durations, and the process's own series:
    // CPU, handles, GC, are each process's own).
    const counts = async (service: TestService) =>
      (await (await fetch(`${service.url}/metrics`)).text())
        .split('\n')
        .filter((line) => /^\w+(_count|_total)(\{|\s)/.test(line) && !/^(process|nodejs)_/.test(line));
    const [hotCounts, yogaCounts] = [await counts(hot), await counts(yoga)];
    expect(hotCounts).toEqual(yogaCounts);
    expect(hotCounts.some((line) => line.startsWith('graphql_yoga_http_duration_count'))).toBe(true);
    // The sandboxes end in the same state.
    for (const { cashoutId } of ids) {
      expect(hot.sandbox.get(Number(cashoutId))).toEqual(yoga.sandbox.get(Number(cashoutId)));
    }
    console.info(
      `fuzz-paths: ${cases} cases, ${hotCases} answered by the hot path (${hot.app.hotPath.served()} answers), ${auditEvents} audit events; statuses`,
      Object.fromEntries(statuses),
    );
  },
  // 20-50 ms a case: a larger FUZZ_RUNS gets the time it needs.
  Math.max(120_000, RUNS * 200),
);
