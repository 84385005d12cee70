import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from './support/operations.js';
import { startTestService, type TestService } from './support/service.js';

// What Apollo Client and urql send: with it, GraphQL-over-HTTP answers request errors with 4xx (with a plain
// `application/json` Accept, the spec keeps 200 for syntax and validation errors, see the README).
const ACCEPT = 'application/graphql-response+json, application/json;q=0.9';
const HOLD = 'mutation Hold { holdCashout(input: {cashoutId: "1001"}) { __typename } }';

let service: TestService;
let unhandled = 0;
const countUnhandled = () => {
  unhandled++;
};
beforeAll(async () => {
  process.on('unhandledRejection', countUnhandled);
  // Thousands of mutations from one principal: the rate limit has its own tests.
  service = await startTestService({ RATE_LIMIT_PER_MINUTE: '0' });
});
afterAll(async () => {
  process.off('unhandledRejection', countUnhandled);
  await service?.close();
});

interface Case {
  name: string;
  method?: string;
  contentType?: string | null;
  body?: string | Blob;
  search?: string;
  /** Allowed statuses; default any 4xx. */
  statuses?: number[];
  /** false: leave out the CSRF-prevention header a real client sends. */
  csrfHeader?: boolean;
}

const json = (value: unknown) => JSON.stringify(value);
const big = (bytes: number) => 'x'.repeat(bytes);

const CASES: Case[] = [
  { name: 'invalid JSON', body: '{"query":' },
  { name: 'JSON with a trailing comma', body: '{"query":"{ __typename }",}' },
  { name: 'invalid UTF-8', body: new Blob([new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])]) },
  { name: 'a JSON array (batching)', body: json([{ query: HOLD }]) },
  { name: 'a JSON string', body: '"mutation"' },
  { name: 'JSON null', body: 'null' },
  { name: 'a JSON number', body: '12' },
  { name: 'an empty body', body: '' },
  { name: 'an empty object', body: '{}' },
  { name: 'query as a number', body: json({ query: 5 }) },
  { name: 'query as an object', body: json({ query: { kind: 'Document' } }) },
  { name: 'variables as a string', body: json({ query: HOLD, variables: '{}' }) },
  { name: 'variables as an array', body: json({ query: HOLD, variables: [] }) },
  { name: 'extensions as a string', body: json({ query: HOLD, extensions: 'x' }) },
  { name: 'an unknown top-level parameter', body: json({ query: HOLD, mutation: true }) },
  { name: 'text/plain', contentType: 'text/plain', body: json({ query: HOLD }) },
  { name: 'application/xml', contentType: 'application/xml', body: '<query/>' },
  { name: 'no content type', contentType: null, body: json({ query: HOLD }) },
  {
    name: 'multipart with a bad operations field',
    contentType: 'multipart/form-data; boundary=x',
    body: '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{bad\r\n--x--\r\n',
  },
  {
    name: 'multipart with no parts',
    contentType: 'multipart/form-data; boundary=x',
    body: '--x--\r\n',
  },
  { name: 'a syntax error', body: json({ query: 'mutation {' }) },
  {
    name: 'an unterminated string',
    body: json({ query: 'query { cashout(cashoutId: "1) { __typename } }' }),
  },
  {
    name: 'a lone surrogate escape',
    body: json({ query: 'query { cashout(externalId: "\\uD800") { __typename } }' }),
  },
  { name: 'an unknown field', body: json({ query: '{ cashoutz { __typename } }' }) },
  { name: 'a missing selection', body: json({ query: 'mutation { holdCashout(input: {cashoutId: "1"}) }' }) },
  { name: 'a missing required argument', body: json({ query: 'mutation { holdCashout { __typename } }' }) },
  {
    name: 'an undefined variable',
    body: json({ query: 'query { cashout(cashoutId: $id) { __typename } }' }),
  },
  // graphql-js refuses it at execution, where Yoga keeps 200.
  {
    name: 'a subscription',
    body: json({ query: 'subscription { cashout { __typename } }' }),
    statuses: [200, 400],
  },
  { name: 'an unknown operation name', body: json({ query: OPERATIONS.holdCashout, operationName: 'Nope' }) },
  { name: 'operationName as a number', body: json({ query: HOLD, operationName: 1 }) },
  {
    name: 'two operations and no operation name',
    body: json({ query: `${HOLD} query Other { __typename }` }),
  },
  {
    name: 'a deeply nested selection (3,000 levels)',
    body: json({ query: `{${' cashout {'.repeat(3_000)}${'}'.repeat(3_001)}` }),
  },
  {
    name: 'a 5 MB query',
    body: json({ query: `{${' __typename'.repeat(450_000)} }` }),
    statuses: [400, 413],
  },
  { name: 'a 5 MB body', body: json({ query: HOLD, pad: big(5_000_000) }), statuses: [400, 413] },
  {
    name: 'GET for a mutation',
    method: 'GET',
    search: `?query=${encodeURIComponent(HOLD)}`,
    statuses: [405],
  },
  {
    name: 'GET for a named mutation among queries',
    method: 'GET',
    search: `?operationName=Hold&query=${encodeURIComponent(`${HOLD} query Q { __typename }`)}`,
    statuses: [405],
  },
  {
    name: 'GET without a CSRF header',
    method: 'GET',
    search: '?query=%7B__typename%7D',
    csrfHeader: false,
    statuses: [403],
  },
  { name: 'GET with no query', method: 'GET', search: '' },
  { name: 'GET with broken variables', method: 'GET', search: '?query=%7B__typename%7D&variables=%7B' },
  { name: 'GET with broken extensions', method: 'GET', search: '?query=%7B__typename%7D&extensions=nope' },
  {
    name: 'url-encoded with broken variables',
    contentType: 'application/x-www-form-urlencoded',
    body: 'query=%7B__typename%7D&variables=%5B%7B',
  },
  { name: 'PUT', method: 'PUT', body: json({ query: HOLD }), statuses: [405] },
  { name: 'DELETE', method: 'DELETE', statuses: [405] },
  { name: 'PATCH', method: 'PATCH', body: '{}', statuses: [405] },
];

async function send(c: Case): Promise<{ status: number; text: string; contentType: string | null }> {
  // A real client's GET carries a CSRF-prevention header (urql, Apollo); without it the answer is 403 first.
  const headers: Record<string, string> = {
    accept: ACCEPT,
    ...(c.csrfHeader !== false && { 'x-graphql-yoga-csrf': '1' }),
  };
  const contentType = c.contentType === undefined ? 'application/json' : c.contentType;
  if (contentType !== null && c.method !== 'GET' && c.method !== 'DELETE')
    headers['content-type'] = contentType;
  const response = await fetch(`${service.url}/graphql${c.search ?? ''}`, {
    method: c.method ?? 'POST',
    headers,
    ...(c.body !== undefined && { body: c.body }),
  });
  return {
    status: response.status,
    text: await response.text(),
    contentType: response.headers.get('content-type'),
  };
}

describe('malformed HTTP gets a clear 4xx', () => {
  it.each(CASES)('$name', async (c) => {
    const { status, text, contentType } = await send(c);
    if (c.statuses) expect(c.statuses, text.slice(0, 300)).toContain(status);
    else expect(status, text.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(status, text.slice(0, 300)).toBeLessThan(500);
    // A JSON answer says what was wrong; 405/413/415 may come without a body.
    if (contentType?.includes('json')) {
      const body = JSON.parse(text) as { errors?: { message?: unknown }[]; data?: unknown };
      expect(body.errors?.[0]?.message).toEqual(expect.any(String));
      expect(body.data ?? null).toBeNull();
    }
  });

  it('answers a 5 MB variable with a ValidationError or, behind a body limit, 413', async () => {
    const variables = { input: { cashoutId: big(5_000_000) } };
    const { status, text } = await send({
      name: '',
      body: json({ query: OPERATIONS.holdCashout, variables }),
    });
    if (status === 200) expect(JSON.parse(text).data.holdCashout.__typename).toBe('ValidationError');
    else expect(status).toBe(413);
  });

  it('answers bytes that are not HTTP with 400 and closes only that connection', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(service.url).port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
      socket.end('\u0000\u0001NOT HTTP AT ALL\r\n\r\n');
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });

  it('survives clients that send half a body and go away', async () => {
    await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(Number(new URL(service.url).port), '127.0.0.1', () => {
              socket.write(
                'POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"query":',
              );
              setTimeout(() => socket.destroy(), 20);
            });
            socket.on('error', () => {});
            socket.on('close', () => resolve());
          }),
      ),
    );
  });

  it('leaves the process unharmed: after the whole barrage, 10 times over and concurrently, a hold succeeds', async () => {
    const small = CASES.filter((c) => typeof c.body !== 'string' || c.body.length < 100_000);
    const answers = await Promise.all(Array.from({ length: 10 }, () => small.map(send)).flat());
    for (const { status } of answers) expect(status).toBeLessThan(500);
    const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
    const { status, body } = await service.graphql<{ holdCashout: Record<string, unknown> }>(
      OPERATIONS.holdCashout,
      { input: { cashoutId: String(cashoutId) } },
    );
    expect(status).toBe(200);
    expect(body.data?.holdCashout).toMatchObject({ __typename: 'HoldCashoutSuccess', changed: true });
    expect(service.sandbox.get(cashoutId)?.status).toBe('ON_HOLD');
    expect(unhandled).toBe(0);
  });
});
