import { readFileSync } from 'node:fs';
import net from 'node:net';
import { getIntrospectionQuery } from 'graphql';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CashoutDocument, HoldCashoutDocument } from '../schema/generated/graphql.js';
import { loadConfig } from '../src/config.js';
import type { D24Client } from '../src/d24/client.js';
import { createApp } from '../src/server/app.js';
import { type ExampleName, exampleDocument } from '../src/server/http/examples.js';
import { CACHE_LIMITS, LIMITS, SERVER_LIMITS } from '../src/server/security/armor.js';
import { BoundedCache } from '../src/server/security/bounded-cache.js';
import { MemoryRateLimitStore } from '../src/server/security/rate-limit.js';
import { postGraphQL } from './support/http.js';
import { memoryLedger } from './support/ledger.js';
import { startTestService, type TestService } from './support/service.js';
import { bearer, hs256Token, TEST_SECRET } from './support/tokens.js';

const operation = exampleDocument;
const manifest = JSON.parse(
  readFileSync(new URL('../schema/generated/persisted-documents.json', import.meta.url), 'utf8'),
) as Record<string, string>;
const hashOf = (document: unknown) => (document as { __meta__: { hash: string } }).__meta__.hash;
const messages = (body: { errors?: { message: string }[] }) =>
  (body.errors ?? []).map((e) => e.message).join('\n');

const post = (service: TestService, body: unknown, headers: Record<string, string> = {}) =>
  postGraphQL(service.url, body, headers);

describe('development defaults', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service.close());
  beforeEach(() => service.sandbox.clearRequests());

  describe('CSRF prevention', () => {
    const get = (headers: Record<string, string> = {}) =>
      fetch(`${service.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { accept: 'application/json', ...headers },
      });

    it('refuses a GET without a CSRF header (a cross-site "simple" request): 403', async () => {
      const response = await get();
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('Required CSRF header');
    });

    it.each(['x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name'])(
      'runs a GET with %s',
      async (header) => {
        const response = await get({ [header]: '1' });
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
      },
    );

    it.each(['text/plain', 'application/x-www-form-urlencoded'])(
      'refuses a POST as %s (no preflight) without the header: 403, nothing sent to D24',
      async (contentType) => {
        const query = 'mutation { holdCashout(input: {cashoutId: "1003"}) { __typename } }';
        const body =
          contentType === 'text/plain'
            ? JSON.stringify({ query })
            : new URLSearchParams({ query }).toString();
        const response = await fetch(`${service.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body,
        });
        expect(response.status).toBe(403);
        expect(service.sandbox.requests).toHaveLength(0);
      },
    );
  });

  // Refusals in validation answer HTTP 200 to an `application/json` request, as GraphQL over HTTP says.
  describe('graphql-armor limits', () => {
    it('passes every example operation and GraphiQL introspection', async () => {
      const variables = {
        cashout: { cashoutId: '1008' },
        holdCashout: { input: { cashoutId: '1007' } },
        releaseCashout: { input: { cashoutId: '1007' } },
        cancelCashout: { input: { cashoutId: '1007', externalId: 'seed-completed-1007' } },
      };
      for (const [name, given] of Object.entries(variables)) {
        const { body } = await service.graphql(operation(name as ExampleName), given);
        expect(body.errors).toBeUndefined();
      }
      const introspection = getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
      });
      const { body } = await service.graphql(introspection);
      expect(body.errors).toBeUndefined();
    });

    const nested = (levels: number, inner: string) =>
      `${'... on Query { '.repeat(levels)}${inner}${' }'.repeat(levels)}`;

    it(`refuses depth over ${LIMITS.depth}`, async () => {
      const ok = await service.graphql(`{ ${nested(LIMITS.depth - 1, '__typename')} }`);
      expect(ok.body.errors).toBeUndefined();
      const { body } = await service.graphql(
        `{ ${nested(LIMITS.depth + 1, 'cashout(cashoutId: "1") { __typename }')} }`,
      );
      expect(body.data).toBeUndefined();
      expect(messages(body)).toMatch(new RegExp(`depth limit of ${LIMITS.depth} exceeded`));
      expect(service.sandbox.requests).toHaveLength(0);
    });

    it('refuses cyclic introspection deeper than GraphiQL needs', async () => {
      const cycle = (levels: number): string =>
        levels === 0 ? 'name' : `name fields { type { ofType { ${cycle(levels - 1)} } } }`;
      const { body } = await service.graphql(`{ __schema { types { ${cycle(8)} } } }`);
      expect(body.data).toBeUndefined();
      expect(messages(body)).toMatch(/depth limit of 24 exceeded/);
    });

    it(`refuses more than ${LIMITS.aliases} aliases, before D24 is called`, async () => {
      const aliases = (n: number) =>
        Array.from({ length: n }, (_, i) => `a${i}: cashout(cashoutId: "1008") { __typename }`).join(' ');
      const ok = await service.graphql(`{ ${aliases(LIMITS.aliases)} }`);
      expect(ok.body.errors).toBeUndefined();
      service.sandbox.clearRequests();
      const { body } = await service.graphql(`{ ${aliases(LIMITS.aliases + 1)} }`);
      expect(body.data).toBeUndefined();
      expect(messages(body)).toMatch(/Aliases limit of 5 exceeded/);
      expect(service.sandbox.requests).toHaveLength(0);
    });

    it(`refuses more than ${LIMITS.tokens} tokens`, async () => {
      const { body } = await service.graphql(`{ ${'__typename '.repeat(LIMITS.tokens)} }`);
      expect(body.data).toBeUndefined();
      expect(messages(body)).toMatch(/Token limit of 1000 exceeded/);
    });

    it(`refuses more than ${LIMITS.directives} directives`, async () => {
      const { body } = await service.graphql(
        `{ ${'__typename @include(if: true) '.repeat(LIMITS.directives + 1)} }`,
      );
      expect(body.data).toBeUndefined();
      expect(messages(body)).toMatch(/Directives limit of 5 exceeded/);
    });

    it(`refuses a cost over ${LIMITS.cost}`, async () => {
      const fields = 'cashoutId externalId status statusCode statusDescription rejection { code reason }';
      const selection = nested(3, `cashout(cashoutId: "1008") { ... on Cashout { ${fields} } }`);
      // Within the depth, alias and token limits, but the same costly selection twelve times.
      const query = `{ ${`${selection} `.repeat(12)} }`;
      const { body } = await service.graphql(query);
      expect(body.data).toBeUndefined();
      expect(messages(body)).toMatch(/Cost limit of 1000 exceeded/i);
      expect(service.sandbox.requests).toHaveLength(0);
    });
  });

  describe('request size and batching', () => {
    const big = JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(LIMITS.bodyBytes) } });

    it(`refuses a body over ${LIMITS.bodyBytes} bytes with 413 (Content-Length)`, async () => {
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: big,
      });
      expect(response.status).toBe(413);
    });

    it('refuses a chunked body over the limit with 413 while reading it', async () => {
      const bytes = new TextEncoder().encode(big);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192));
          controller.close();
        },
      });
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(response.headers.get('content-length')).not.toBe(null);
      expect(response.status).toBe(413);
    });

    it('does not batch: an array of operations is refused', async () => {
      const { status, body } = await post(service, [
        { query: '{ __typename }' },
        { query: '{ __typename }' },
      ]);
      expect(status).toBe(400);
      expect(Array.isArray(body)).toBe(false);
      expect(body.errors?.length).toBeGreaterThan(0);
    });
  });

  it('suggests field names in development', async () => {
    const { body } = await service.graphql('{ cashot }');
    expect(messages(body)).toMatch(/Did you mean "cashout"/);
  });
});

describe('NODE_ENV=production', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ NODE_ENV: 'production' });
  });
  afterAll(() => service.close());

  it('serves no GraphiQL', async () => {
    const response = await fetch(`${service.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await response.text()).not.toContain('GraphiQL');
  });

  it('refuses introspection but still answers __typename', async () => {
    const { body } = await service.graphql('{ __schema { queryType { name } } }');
    expect(body.data).toBeUndefined();
    expect(messages(body)).toMatch(/introspection has been disabled/);
    expect((await service.graphql('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('does not suggest field names', async () => {
    const { body } = await service.graphql('{ cashot }');
    expect(messages(body)).toContain('Cannot query field "cashot"');
    expect(messages(body)).not.toContain('cashout');
  });

  it('masks an unexpected error completely', async () => {
    const failing = {
      getCashoutStatus: async () => {
        throw new Error('socket hang up at 10.1.2.3 with login sandbox_login');
      },
    } as unknown as D24Client;
    const app = createApp(loadConfig({ NODE_ENV: 'production' }), {
      d24: failing,
      ledger: await memoryLedger(),
      logger: pino({ level: 'silent' }),
    });
    const response = await app.fetch('http://service.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ cashout(cashoutId: "1001") { __typename } }' }),
    });
    const text = await response.text();
    expect(JSON.parse(text).errors).toEqual([
      expect.objectContaining({
        message: 'Unexpected error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      }),
    ]);
    expect(text).not.toMatch(/socket|10\.1\.2\.3|sandbox_login|originalError|stack/);
  });

  it('GRAPHIQL=true turns GraphiQL and introspection back on', async () => {
    const open = await startTestService({ NODE_ENV: 'production', GRAPHIQL: 'true' });
    try {
      const page = await fetch(`${open.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type')).toContain('text/html');
      expect((await open.graphql('{ __schema { queryType { name } } }')).body).toEqual({
        data: { __schema: { queryType: { name: 'Query' } } },
      });
    } finally {
      await open.close();
    }
  });
});

describe('trusted documents (the persisted-documents manifest from codegen.ts)', () => {
  it('the generated documents carry the manifest keys', () => {
    expect(manifest[hashOf(HoldCashoutDocument)]).toMatch(/(^| )mutation HoldCashout\(/);
    expect(manifest[hashOf(CashoutDocument)]).toMatch(/(^| )query Cashout\(/);
  });

  describe('TRUSTED_DOCUMENTS=required', () => {
    let service: TestService;
    beforeAll(async () => {
      service = await startTestService({ TRUSTED_DOCUMENTS: 'required' });
    });
    afterAll(() => service.close());
    beforeEach(() => service.sandbox.clearRequests());

    it('refuses an operation sent as text, even a copy of a manifest document, before D24', async () => {
      const { status, body } = await post(service, {
        query: manifest[hashOf(HoldCashoutDocument)],
        variables: { input: { cashoutId: '1001' } },
      });
      expect(status).toBe(400);
      expect(body.errors[0].extensions).toEqual({ code: 'PERSISTED_QUERY_ONLY' });
      expect(service.sandbox.requests).toHaveLength(0);
    });

    it('runs a manifest document by documentId', async () => {
      const { cashoutId } = service.sandbox.create();
      const { status, body } = await post(service, {
        documentId: hashOf(HoldCashoutDocument),
        variables: { input: { cashoutId: `${cashoutId}` } },
      });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        data: { holdCashout: { __typename: 'HoldCashoutSuccess', changed: true } },
      });
    });

    it("runs a manifest document by Apollo's extensions.persistedQuery.sha256Hash", async () => {
      const sha256Hash = hashOf(CashoutDocument).replace('sha256:', '');
      const { body } = await post(service, {
        variables: { cashoutId: '1008' },
        extensions: { persistedQuery: { version: 1, sha256Hash } },
      });
      expect(body).toMatchObject({ data: { cashout: { __typename: 'Cashout', status: 'REJECTED' } } });
    });

    it('refuses an unknown documentId', async () => {
      const { body } = await post(service, { documentId: `sha256:${'0'.repeat(64)}` });
      expect(body.errors[0].extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_FOUND' });
    });
  });

  describe('TRUSTED_DOCUMENTS unset', () => {
    let service: TestService;
    beforeAll(async () => {
      service = await startTestService();
    });
    afterAll(() => service.close());

    it('runs arbitrary operations and manifest documents alike', async () => {
      expect((await post(service, { query: '{ __typename }' })).body).toEqual({
        data: { __typename: 'Query' },
      });
      const { body } = await post(service, {
        documentId: hashOf(CashoutDocument),
        variables: { cashoutId: '1008' },
      });
      expect(body).toMatchObject({ data: { cashout: { status: 'REJECTED' } } });
    });
  });
});

describe('mutation rate limit per principal (RATE_LIMIT_PER_MINUTE)', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ AUTH_JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => service.close());

  const holds = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const { cashoutId } = service.sandbox.create();
      return `h${i}: holdCashout(input: {cashoutId: "${cashoutId}"}) { __typename }`;
    }).join(' ');

  it('refuses the mutation over the limit with RATE_LIMITED and 429, before D24; others and queries go on', async () => {
    const all = 'cashouts:read cashouts:hold cashouts:release cashouts:cancel';
    const alice = bearer(await hs256Token({ claims: { sub: 'alice-rl', scope: all } }));
    const bob = bearer(await hs256Token({ claims: { sub: 'bob-rl', scope: all } }));

    expect((await service.graphql(`mutation { ${holds(2)} }`, {}, alice)).body.errors).toBeUndefined();
    expect((await service.graphql(`mutation { ${holds(1)} }`, {}, alice)).body.errors).toBeUndefined();

    service.sandbox.clearRequests();
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...alice },
      body: JSON.stringify({ query: `mutation { ${holds(1)} }` }),
    });
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    const body = await response.json();
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^Too many mutations: at most 3 a minute per caller; retry in \d+ s$/),
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter },
      }),
    ]);
    expect(service.sandbox.requests).toHaveLength(0);

    expect((await service.graphql(`{ cashout(cashoutId: "1008") { __typename } }`, {}, alice)).status).toBe(
      200,
    );
    expect((await service.graphql(`mutation { ${holds(3)} }`, {}, bob)).body.errors).toBeUndefined();
    expect((await service.graphql(`mutation { ${holds(1)} }`, {}, bob)).status).toBe(429);
  });

  it('a limit of 0 turns it off', async () => {
    const open = await startTestService({ RATE_LIMIT_PER_MINUTE: '0' });
    try {
      for (let i = 0; i < 3; i++) {
        const { status } = await open.graphql(
          `mutation { ${Array.from({ length: 5 }, (_, j) => `h${j}: holdCashout(input: {cashoutId: "${open.sandbox.create().cashoutId}"}) { __typename }`).join(' ')} }`,
        );
        expect(status).toBe(200);
      }
    } finally {
      await open.close();
    }
  });
});

describe('MemoryRateLimitStore', () => {
  it('refills evenly over the window', async () => {
    const store = new MemoryRateLimitStore({ limit: 60, windowMs: 60_000 });
    expect(await store.take('k', 60, 0)).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(await store.take('k', 1, 0)).toEqual({ allowed: false, retryAfterMs: 1000 });
    expect(await store.take('k', 2, 1500)).toEqual({ allowed: false, retryAfterMs: 500 });
    expect((await store.take('k', 2, 2000)).allowed).toBe(true);
    expect((await store.take('k', 1, 120_000)).allowed).toBe(true);
  });

  it('keeps at most maxKeys buckets, dropping the least recently used', async () => {
    const store = new MemoryRateLimitStore({ limit: 1, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) await store.take(`principal-${i}`, 1, i);
    expect(store.size).toBe(100);
    expect((await store.take('principal-999', 1, 1000)).allowed).toBe(false);
  });
});

describe('HTTP server limits (SERVER_LIMITS)', () => {
  /** A raw TCP client: what it received, and a promise of the server closing it. */
  function connect(url: string) {
    const { port } = new URL(url);
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const answer = (text: string) =>
      new Promise<string>((resolve) => {
        const start = received.length;
        const check = () => {
          if (/\r\n\r\n/.test(received.slice(start))) {
            socket.off('data', check);
            resolve(received.slice(start));
          }
        };
        socket.on('data', check);
        socket.write(text);
      });
    return { socket, closed, connected, answer, received: () => received };
  }
  const HEALTH = 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n';

  it('the service listens with them (Node would allow 60 s for headers, 300 s per request, any connections)', async () => {
    const service = await startTestService();
    try {
      expect(service.server.headersTimeout).toBe(SERVER_LIMITS.headersTimeoutMs);
      expect(service.server.requestTimeout).toBe(SERVER_LIMITS.requestTimeoutMs);
      expect(service.server.keepAliveTimeout).toBe(SERVER_LIMITS.keepAliveTimeoutMs);
      expect(service.server.maxConnections).toBe(SERVER_LIMITS.maxConnections);
      expect(SERVER_LIMITS.headersTimeoutMs).toBeLessThan(60_000);
    } finally {
      await service.close();
    }
  });

  it('a client that drips its headers is answered 408 and closed once headersTimeout has passed', async () => {
    const service = await startTestService(
      {},
      { serverLimits: { headersTimeoutMs: 200, requestTimeoutMs: 400, connectionsCheckingIntervalMs: 50 } },
    );
    try {
      const client = connect(service.url);
      await client.connected;
      client.socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\n');
      const drip = setInterval(() => client.socket.write('x'), 20);
      await client.closed;
      clearInterval(drip);
      expect(client.received()).toMatch(/^HTTP\/1\.1 408/);
      // Everyone else is still served.
      expect((await fetch(`${service.url}/health`)).status).toBe(200);
    } finally {
      await service.close();
    }
  });

  it('a connection over maxConnections is closed at once; those already open keep being served', async () => {
    const service = await startTestService({}, { serverLimits: { maxConnections: 2 } });
    try {
      const first = connect(service.url);
      const second = connect(service.url);
      expect(await first.answer(HEALTH)).toMatch(/^HTTP\/1\.1 200/);
      expect(await second.answer(HEALTH)).toMatch(/^HTTP\/1\.1 200/);
      const third = connect(service.url);
      await third.connected;
      third.socket.write(HEALTH);
      await third.closed;
      expect(third.received()).toBe('');
      expect(await first.answer(HEALTH)).toMatch(/^HTTP\/1\.1 200/);
      first.socket.destroy();
      second.socket.destroy();
    } finally {
      await service.close();
    }
  });
});

describe('caches keyed by documents (CACHE_LIMITS)', () => {
  it('BoundedCache drops the oldest entries past its entry or character bound, and keeps no key over it', () => {
    const cache = new BoundedCache<number>(3, 10);
    for (const [key, value] of [
      ['a', 1],
      ['bb', 2],
      ['ccc', 3],
      ['dddd', 4],
    ] as const)
      cache.set(key, value);
    expect([cache.get('a'), cache.get('bb'), cache.get('ccc'), cache.get('dddd')]).toEqual([
      undefined,
      2,
      3,
      4,
    ]);
    cache.set('eeeee', 5);
    expect([cache.size, cache.chars]).toEqual([2, 9]);
    cache.set('x'.repeat(11), 6);
    expect(cache.get('x'.repeat(11))).toBeUndefined();
    expect(cache.touch('dddd')).toBe(4);
    cache.set('f', 7);
    expect(cache.get('dddd')).toBe(4);
  });

  it('graphql-jit compiles a document only from its second run: distinct documents sent once compile nothing', async () => {
    // HOT_PATH=off: every run reaches Yoga's executor (with the hot path on, a second run is the hot path's, which
    // compiles on its own, also only from a second sighting).
    const service = await startTestService({ RATE_LIMIT_PER_MINUTE: '0', HOT_PATH: 'off' });
    try {
      await service.app.hotPath.ready;
      const query = (i: number) => `query Once${i} { cashout(cashoutId: "1008") { __typename } }`;
      for (let i = 0; i < 20; i++) expect((await service.graphql(query(i))).status).toBe(200);
      expect(service.app.jitCompilations()).toBe(0);
      const first = await service.graphql(query(0));
      const again = await service.graphql(query(0));
      expect(service.app.jitCompilations()).toBe(1);
      expect(again.body).toEqual(first.body);
    } finally {
      await service.close();
    }
  });

  it('Yoga and the hot path hold at most CACHE_LIMITS documents, however many distinct documents come', async () => {
    const service = await startTestService({ RATE_LIMIT_PER_MINUTE: '0' });
    try {
      const count = Math.max(CACHE_LIMITS.prepared, CACHE_LIMITS.documents) + 40;
      for (let i = 0; i < count; i++) {
        const { status } = await service.graphql(`query Q${i} { cashout(cashoutId: "1008") { __typename } }`);
        expect(status).toBe(200);
      }
      expect(service.app.hotPath.prepared()).toBe(CACHE_LIMITS.prepared);
      expect(service.app.documentsCached()).toBe(CACHE_LIMITS.documents);
    } finally {
      await service.close();
    }
  });
});
