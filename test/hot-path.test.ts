import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoldCashoutDocument } from '../schema/generated/graphql.js';
import { loadConfig } from '../src/config.js';
import type { D24Client } from '../src/d24/client.js';
import { createApp } from '../src/server/app.js';
import type { HotPath } from '../src/server/hot-path/hot-path.js';
import { exampleDocument } from '../src/server/http/examples.js';
import { memoryLedger } from './support/ledger.js';
import { captureLogs } from './support/logs.js';
import { OPERATIONS } from './support/operations.js';
import { startTestService, type TestService } from './support/service.js';
import { bearer, hs256Token, TEST_SECRET } from './support/tokens.js';

// The hot path (src/server/hot-path/hot-path.ts) must answer byte for byte what Yoga answers, and hand Yoga whatever it
// cannot. Each request goes over real HTTP; the same request sent with a chunked body (no Content-Length) always
// takes Yoga's path, which gives the reference answer.

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
  options: { viaYoga?: boolean } = {},
): Promise<Answer> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(!options.viaYoga && { 'content-length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    // Node sets Content-Length itself when the whole body goes to end(); a write first makes it chunked.
    if (options.viaYoga) req.write(body);
    req.end(options.viaYoga ? undefined : body);
  });
}

/** The parts of an answer a client can see, less the date. */
const visible = ({ status, headers, text }: Answer) => ({
  status,
  headers: Object.fromEntries(
    Object.entries(headers).filter(([name]) => !['date', 'keep-alive', 'connection'].includes(name)),
  ),
  text,
});

/**
 * Once graphql-jit has loaded, sends until the hot path answers one, and returns that answer: the first send may be
 * the one Yoga accepts (and the hot path records), the next is the hot path's. Every answer must have `status`.
 */
async function untilServed(hotPath: HotPath, sendOnce: () => Promise<Answer>, status = 200): Promise<Answer> {
  await hotPath.ready;
  for (let attempt = 0; attempt < 2; attempt++) {
    const before = hotPath.served();
    const answer = await sendOnce();
    expect(answer.status).toBe(status);
    if (hotPath.served() > before) return answer;
  }
  throw new Error('the hot path did not serve a document Yoga had accepted');
}

/** Has Yoga see a query once, then sends it until the hot path serves it. */
async function untilHot(service: TestService, headers: Record<string, string> = {}): Promise<void> {
  const payload = { query: OPERATIONS.cashout, variables: { cashoutId: '1008' } };
  await send(service.url, payload, headers, { viaYoga: true });
  await untilServed(service.app.hotPath, () => send(service.url, payload, headers));
}

/** `sha256:<hex>` of HoldCashout in the persisted-documents manifest. */
const HOLD_DOCUMENT_ID = (HoldCashoutDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;

const APOLLO_ACCEPT = 'application/graphql-response+json,application/json;q=0.9';
const URQL_ACCEPT =
  'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed';

describe('the hot path', () => {
  let service: TestService;
  const logs = captureLogs();
  beforeAll(async () => {
    service = await startTestService({}, { logger: pino({ level: 'silent' }), audit: logs.audit });
    await untilHot(service);
  });
  afterAll(() => service.close());

  const cases = [
    { field: 'holdCashout', from: 'PENDING' },
    { field: 'releaseCashout', from: 'ON_HOLD' },
    { field: 'cancelCashout', from: 'PENDING' },
    { field: 'cashout', from: 'PENDING' },
  ] as const;
  for (const { field, from } of cases) {
    for (const [accept, origin] of [
      [undefined, undefined],
      ['*/*', undefined],
      [APOLLO_ACCEPT, 'https://ops.example'],
      [URQL_ACCEPT, 'https://ops.example'],
    ] as const) {
      it(`answers ${field} (Accept: ${accept ?? 'none'}, Origin: ${origin ?? 'none'}) exactly as Yoga does`, async () => {
        const answers: ReturnType<typeof visible>[] = [];
        for (const viaYoga of [true, false]) {
          // Two cashouts in the same state, told apart by nothing the answer shows but their ids.
          const { cashoutId, externalId } = service.sandbox.create({ status: from });
          const variables =
            field === 'cashout'
              ? { cashoutId: `${cashoutId}` }
              : { input: { cashoutId: `${cashoutId}`, ...(field === 'cancelCashout' && { externalId }) } };
          const served = service.app.hotPath.served();
          const answer = await send(
            service.url,
            { query: OPERATIONS[field], variables },
            { ...(accept && { accept }), ...(origin && { origin }), 'x-request-id': `req-${field}` },
            { viaYoga },
          );
          expect(service.app.hotPath.served() - served).toBe(viaYoga ? 0 : 1);
          answers.push(
            visible({
              ...answer,
              text: answer.text.replaceAll(`${cashoutId}`, 'ID').replaceAll(externalId, 'EXTERNAL_ID'),
            }),
          );
        }
        expect(answers[1]).toEqual(answers[0]);
        expect(answers[0]?.status).toBe(200);
        expect(answers[0]?.headers['x-request-id']).toBe(`req-${field}`);
        if (origin) expect(answers[0]?.headers['access-control-allow-origin']).toBe(origin);
      });
    }
  }

  it('records to the ledger and answers its fields (reason, hold, history) exactly as Yoga does', async () => {
    const answers: string[] = [];
    const historyOf = (cashoutId: number) => ({
      query: exampleDocument('cashoutHistory'),
      variables: { cashoutId: `${cashoutId}` },
    });
    // Yoga's pass is the history document's first run (graphql-js), the hot path's is graphql-jit: the same field
    // order too (graphql-jit before 0.8.9 put fields beside a fragment spread first).
    for (const viaYoga of [true, false]) {
      const { cashoutId } = service.sandbox.create({ status: 'PENDING' });
      const served = service.app.hotPath.served();
      const headers = { 'x-request-id': 'req-ledger' };
      const hold = {
        query: OPERATIONS.holdCashout,
        variables: { input: { cashoutId: `${cashoutId}`, reason: 'KYC' } },
      };
      const history = historyOf(cashoutId);
      const texts = [
        (await send(service.url, hold, headers, { viaYoga })).text,
        (await send(service.url, history, headers, { viaYoga })).text,
      ];
      expect(service.app.hotPath.served() - served).toBe(viaYoga ? 0 : 2);
      // What differs between two runs: the cashout, the times and the ledger's event ids.
      answers.push(
        texts
          .join('\n')
          .replaceAll(`${cashoutId}`, 'ID')
          .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME')
          .replace(/"(id|cursor|endCursor)":"\d+"/g, '"$1":"N"'),
      );
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]).toContain('"hold":{"by":"sandbox-developer","reason":"KYC","since":"TIME"}');
    expect(answers[0]).toMatch(
      /"action":"HOLD","actor":"sandbox-developer","reason":"KYC","resultType":"HoldCashoutSuccess"/,
    );
  });

  it('writes the same audit event as Yoga, with the request id', async () => {
    const events = [];
    for (const viaYoga of [true, false]) {
      const { cashoutId } = service.sandbox.create();
      logs.clear();
      await send(
        service.url,
        { query: OPERATIONS.holdCashout, variables: { input: { cashoutId: `${cashoutId}` } } },
        { 'x-request-id': 'audited' },
        { viaYoga },
      );
      const [event, ...more] = logs.auditLines();
      expect(more).toEqual([]);
      expect(event).toMatchObject({ cashoutId: `${cashoutId}`, requestId: 'audited' });
      events.push({ ...event, cashoutId: 'ID', durationMs: 0, time: 0 });
    }
    expect(events[1]).toEqual(events[0]);
    expect(events[0]).toMatchObject({
      actor: 'sandbox-developer',
      resultType: 'HoldCashoutSuccess',
      changed: true,
    });
  });

  it("counts its requests in Yoga's Prometheus series", async () => {
    const count = async () => {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      return Number(
        /graphql_yoga_http_duration_count\{method="POST",statusCode="200",operationType="mutation"\} (\d+)/.exec(
          text,
        )?.[1] ?? 0,
      );
    };
    const before = await count();
    const served = service.app.hotPath.served();
    const { cashoutId } = service.sandbox.create();
    await send(service.url, {
      query: OPERATIONS.holdCashout,
      variables: { input: { cashoutId: `${cashoutId}` } },
    });
    expect(service.app.hotPath.served()).toBe(served + 1);
    expect(await count()).toBe(before + 1);
  });

  it('hands Yoga what it does not serve: bad variables, a media type it does not parse, an event stream, an unseen document, a preflight', async () => {
    const served = service.app.hotPath.served();
    const hold = (variables: unknown, headers: Record<string, string> = {}) =>
      send(service.url, { query: OPERATIONS.holdCashout, variables }, headers);
    const badVariables = await hold({ input: { cashoutId: { id: 1 } } });
    expect(badVariables.status).toBe(400);
    // Yoga's parser reads the media type case-sensitively (the charset not): not JSON to it, so not to the hot path.
    const upperCase = await hold({ input: { cashoutId: '999999' } }, { 'content-type': 'application/JSON' });
    expect(upperCase.status).toBe(415);
    // Yoga's params check: extensions, when present, an object (not an array).
    const listExtensions = await send(service.url, {
      query: OPERATIONS.holdCashout,
      variables: { input: { cashoutId: '999999' } },
      extensions: [],
    });
    expect(JSON.parse(listExtensions.text).errors[0].extensions.code).toBe('BAD_REQUEST');
    const preflight = await fetch(`${service.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://ops.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://ops.example');
    const stream = await hold({ input: { cashoutId: '999999' } }, { accept: 'text/event-stream' });
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    const unseen = await send(service.url, { query: '{ cashout(cashoutId: "1008") { __typename } }' });
    expect(JSON.parse(unseen.text)).toEqual({ data: { cashout: { __typename: 'Cashout' } } });
    expect(service.app.hotPath.served()).toBe(served);
  });
  it('tells operation names apart from the text and from each other: an empty or a wrong name is for Yoga to refuse', async () => {
    const served = service.app.hotPath.served();
    const cashout = (query: string, operationName?: string) =>
      send(service.url, { query, variables: { cashoutId: '1008' }, operationName });
    // Accepted by Yoga, and prepared: the document with a comment at its end, named by its operation's name.
    for (let i = 0; i < 2; i++)
      expect((await cashout(`${OPERATIONS.cashout}#x`, 'Cashout')).status).toBe(200);
    // Text and name that a key joining them with a line feed would confuse with the one above, then an empty name.
    const refusals = [
      await cashout(OPERATIONS.cashout, '#x\nCashout'),
      await cashout(OPERATIONS.cashout, ''),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    }
    expect(service.app.hotPath.served()).toBe(served + 1);
  });
});

describe('the hot path with authentication and a rate limit', () => {
  let service: TestService;
  let full: Record<string, string>;
  beforeAll(async () => {
    service = await startTestService({ AUTH_JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '4' });
    full = bearer(
      await hs256Token({ claims: { sub: 'ops', scope: 'cashouts:read cashouts:hold cashouts:release' } }),
    );
    await untilHot(service, full);
  });
  afterAll(() => service.close());

  const hold = (headers: Record<string, string>) => {
    const { cashoutId } = service.sandbox.create();
    return send(
      service.url,
      { query: OPERATIONS.holdCashout, variables: { input: { cashoutId: `${cashoutId}` } } },
      headers,
    );
  };

  it('leaves every refusal to Yoga: no token, a missing scope, a spent budget', async () => {
    await hold(full); // Yoga has seen the document once
    const served = service.app.hotPath.served();
    expect((await hold({})).status).toBe(401);
    const readOnly = bearer(await hs256Token({ claims: { sub: 'reader', scope: 'cashouts:read' } }));
    service.sandbox.clearRequests();
    const forbidden = await hold(readOnly);
    expect(JSON.parse(forbidden.text).errors[0].extensions.code).toBe('FORBIDDEN');
    expect(service.sandbox.requests).toHaveLength(0);
    expect(service.app.hotPath.served()).toBe(served);

    // A budget of 4 a minute, one spent above: three more on the hot path, then Yoga's 429.
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await hold(full)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(service.app.hotPath.served()).toBe(served + 3);
  });
});

describe('the hot path and a bulk mutation', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ RATE_LIMIT_PER_MINUTE: '12' });
    await untilHot(service);
  });
  afterAll(() => service.close());

  it('answers a bulk as Yoga does, and charges the rate limit one per item from the variables', async () => {
    const bulk = (count: number, options: { viaYoga?: boolean } = {}) => {
      const ids = Array.from(
        { length: count },
        () => `${service.sandbox.create({ status: 'PENDING' }).cashoutId}`,
      );
      const payload = { query: exampleDocument('holdCashouts'), variables: { input: { cashoutIds: ids } } };
      return send(service.url, payload, { 'x-request-id': 'req-bulk' }, options);
    };
    const yoga = await bulk(2, { viaYoga: true });
    const served = service.app.hotPath.served();
    const hot = await bulk(2);
    expect(service.app.hotPath.served()).toBe(served + 1);
    const ids = /"cashoutId":"(\d+)"/g;
    expect(hot.text.replace(ids, '"cashoutId":"ID"')).toBe(yoga.text.replace(ids, '"cashoutId":"ID"'));
    expect(JSON.parse(hot.text).data.holdCashouts.results).toHaveLength(2);
    // 4 of 12 spent: a bulk of 10 is over what is left, so the hot path leaves it to Yoga, which refuses it whole.
    service.sandbox.clearRequests();
    const refused = await bulk(10);
    expect(refused.status).toBe(429);
    expect(service.sandbox.requests).toHaveLength(0);
    expect(service.app.hotPath.served()).toBe(served + 1);
  });
});

describe('the hot path with trusted documents required', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ TRUSTED_DOCUMENTS: 'required', RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(() => service.close());

  it('serves a manifest document by id, and still refuses the same document sent as text', async () => {
    const documentId = HOLD_DOCUMENT_ID;
    const byId = () => {
      const { cashoutId } = service.sandbox.create();
      return send(service.url, { documentId, variables: { input: { cashoutId: `${cashoutId}` } } });
    };
    await untilServed(service.app.hotPath, byId);
    const asText = await send(service.url, {
      query: OPERATIONS.holdCashout,
      variables: { input: { cashoutId: '1001' } },
    });
    expect(asText.status).toBe(400);
    expect(JSON.parse(asText.text).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
  });

  it("serves Apollo's extensions.persistedQuery.sha256Hash as Yoga does, and only version 1", async () => {
    const hash = HOLD_DOCUMENT_ID;
    const payload = (version: number) => {
      const { cashoutId, externalId } = service.sandbox.create();
      return {
        body: {
          variables: { input: { cashoutId: `${cashoutId}` } },
          extensions: { persistedQuery: { version, sha256Hash: hash.replace('sha256:', '') } },
        },
        ids: [`${cashoutId}`, externalId],
      };
    };
    const visibleOf = (answer: Answer, ids: string[]) =>
      visible({
        ...answer,
        text: answer.text.replaceAll(ids[0] as string, 'ID').replaceAll(ids[1] as string, 'X'),
      });
    let servedIds: string[] = [];
    const served = await untilServed(service.app.hotPath, () => {
      const { body, ids } = payload(1);
      servedIds = ids;
      return send(service.url, body, { 'x-request-id': 'apq' });
    });
    const hot = visibleOf(served, servedIds);
    const { body, ids } = payload(1);
    expect(hot).toEqual(
      visibleOf(await send(service.url, body, { 'x-request-id': 'apq' }, { viaYoga: true }), ids),
    );
    const before = service.app.hotPath.served();
    const other = await send(service.url, payload(2).body);
    expect(other.status).toBe(400);
    expect(service.app.hotPath.served()).toBe(before);
  });
});

describe('an unexpected failure on the hot path', () => {
  it('is masked in production exactly as Yoga masks it', async () => {
    const failing = {
      getCashoutStatus: async () => {
        throw new Error('socket hang up at 10.1.2.3 with login sandbox_login');
      },
    } as unknown as D24Client;
    const app = createApp(loadConfig({ NODE_ENV: 'production', AUTH_DISABLED: 'true' }), {
      d24: failing,
      ledger: await memoryLedger(),
      logger: pino({ level: 'silent' }),
    });
    const server = createServer(app.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const payload = { query: OPERATIONS.cashout, variables: { cashoutId: '1001' } };
      const hot = visible(await untilServed(app.hotPath, () => send(url, payload, { 'x-request-id': 'r' })));
      // Yoga's answer once graphql-jit runs there too (before, graphql-js adds `locations` to the error).
      const reference = visible(await send(url, payload, { 'x-request-id': 'r' }, { viaYoga: true }));
      expect(hot).toEqual(reference);
      expect(JSON.parse(reference.text).errors[0]).toMatchObject({
        message: 'Unexpected error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(reference.text).not.toMatch(/socket|10\.1\.2\.3|sandbox_login/);
    } finally {
      server.close();
    }
  });
});
