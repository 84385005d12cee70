import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import {
  AUTH_DISABLED_PRINCIPAL,
  AuthenticationError,
  createAuthenticator,
  JWKS_OUTAGE_MS,
  SANDBOX_DEVELOPER,
} from '../src/server/auth/auth.js';
import { captureLogs } from './support/logs.js';
import { OPERATIONS as OPS } from './support/operations.js';
import { startTestService, type TestService } from './support/service.js';
import {
  bearer,
  hs256Token,
  type JwksServer,
  type SigningKey,
  signingKey,
  startJwksServer,
  TEST_SECRET,
} from './support/tokens.js';

const run = promisify(execFile);
const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'd24-cashout-graphql';

describe('HS256 bearer tokens (AUTH_JWT_SECRET, AUTH_ISSUER, AUTH_AUDIENCE)', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({
      AUTH_JWT_SECRET: TEST_SECRET,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    });
  });
  afterAll(() => service.close());
  beforeEach(() => service.sandbox.clearRequests());

  const token = (options: Parameters<typeof hs256Token>[0] = {}) =>
    hs256Token({
      ...options,
      claims: { iss: ISSUER, aud: AUDIENCE, scope: 'cashouts:read', ...options.claims },
    });
  const lookUp = (headers: Record<string, string>) =>
    service.graphql(OPS.cashout, { cashoutId: '1008' }, headers);

  it('lets a valid token in', async () => {
    const { status, body } = await lookUp(bearer(await token()));
    expect(status).toBe(200);
    expect(body).toMatchObject({ data: { cashout: { __typename: 'Cashout', status: 'REJECTED' } } });
    expect(service.sandbox.requests).toHaveLength(1);
  });

  it('accepts an iat within the clock skew, a 23-hour lifetime, and a token without iat', async () => {
    expect((await lookUp(bearer(await token({ issuedAt: 20 })))).status).toBe(200);
    expect((await lookUp(bearer(await token({ expiresIn: 23 * 3_600 })))).status).toBe(200);
    expect((await lookUp(bearer(await token({ issuedAt: null })))).status).toBe(200);
  });

  it('accepts a token that expired within the 30 s clock-skew allowance', async () => {
    const { status } = await lookUp(bearer(await token({ expiresIn: -10 })));
    expect(status).toBe(200);
  });

  const refused: [string, () => Promise<Record<string, string>>][] = [
    ['no Authorization header', async () => ({})],
    ['a Basic Authorization header', async () => ({ authorization: 'Basic YWxpY2U6c2VjcmV0' })],
    ['a bearer that is not a JWT', async () => ({ authorization: 'Bearer not-a-jwt' })],
    ['an expired token', async () => bearer(await token({ expiresIn: -120 }))],
    ['a token signed with another secret', async () => bearer(await token({ secret: `x${TEST_SECRET}` }))],
    ['a token for another audience', async () => bearer(await token({ claims: { aud: 'another-service' } }))],
    [
      'a token from another issuer',
      async () => bearer(await token({ claims: { iss: 'https://evil.test/' } })),
    ],
    ['a token without sub', async () => bearer(await token({ claims: { sub: undefined } }))],
    ['a token issued an hour in the future', async () => bearer(await token({ issuedAt: 3_600 }))],
    [
      'a token living 25 hours (over the 24 h AUTH_MAX_TOKEN_TTL default)',
      async () => bearer(await token({ expiresIn: 25 * 3_600 })),
    ],
    [
      'a token without iat expiring in 25 hours',
      async () => bearer(await token({ issuedAt: null, expiresIn: 25 * 3_600 })),
    ],
    [
      'a token with exp 1e12',
      async () => bearer(await token({ expiresIn: 1e12 - Math.floor(Date.now() / 1000) })),
    ],
    [
      'an unsigned token (alg none)',
      async () => {
        const [, payload] = (await token()).split('.');
        const header = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
        return { authorization: `Bearer ${header}.${payload}.` };
      },
    ],
  ];
  it.each(refused)('refuses %s: HTTP 401, UNAUTHENTICATED, D24 never called', async (_name, headers) => {
    const given = await headers();
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...given },
      body: JSON.stringify({ query: OPS.holdCashout, variables: { input: { cashoutId: '1001' } } }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const text = await response.text();
    const body = JSON.parse(text);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: 'Missing or invalid bearer token',
        extensions: { code: 'UNAUTHENTICATED' },
      }),
    ]);
    // Neither the token nor jose's reason reaches the caller.
    const presented = given.authorization?.split(' ')[1];
    if (presented) expect(text).not.toContain(presented);
    expect(text).not.toMatch(/claim|signature|expired/i);
    expect(service.sandbox.requests).toHaveLength(0);
    expect(service.sandbox.get(1001)?.status).toBe('PENDING');
  });

  it('refuses before validation: an unauthenticated caller learns nothing about the schema', async () => {
    const { status, body } = await service.graphql('{ cashot { __typename } }');
    expect(status).toBe(401);
    expect(JSON.stringify(body)).not.toContain('Did you mean');
  });

  it('needs no token for /health', async () => {
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });
});

describe('scopes: each root field needs its own', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ AUTH_JWT_SECRET: TEST_SECRET });
  });
  afterAll(() => service.close());
  beforeEach(() => service.sandbox.clearRequests());

  const FIELDS = [
    { field: 'cashout', scope: 'cashouts:read', variables: () => ({ cashoutId: '1008' }) },
    {
      field: 'holdCashout',
      scope: 'cashouts:hold',
      variables: () => ({ input: { cashoutId: `${service.sandbox.create().cashoutId}` } }),
    },
    {
      field: 'releaseCashout',
      scope: 'cashouts:release',
      variables: () => ({
        input: { cashoutId: `${service.sandbox.create({ status: 'ON_HOLD' }).cashoutId}` },
      }),
    },
    {
      field: 'cancelCashout',
      scope: 'cashouts:cancel',
      variables: () => {
        const { cashoutId, externalId } = service.sandbox.create();
        return { input: { cashoutId: `${cashoutId}`, externalId } };
      },
    },
  ] as const;
  const ALL = ['cashouts:read', 'cashouts:cancel', 'cashouts:hold', 'cashouts:release'];

  describe.each(FIELDS)('$field', ({ field, scope, variables }) => {
    it(`runs with ${scope} in the scope claim`, async () => {
      const token = await hs256Token({ claims: { scope: `openid ${scope}` } });
      const { status, body } = await service.graphql(OPS[field], variables(), bearer(token));
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect((body.data as Record<string, { __typename: string }>)[field]?.__typename).not.toMatch(/Error$/);
      expect(service.sandbox.requests.length).toBeGreaterThan(0);
    });

    it(`runs with ${scope} in a permissions array`, async () => {
      const token = await hs256Token({ claims: { permissions: [scope] } });
      const { body } = await service.graphql(OPS[field], variables(), bearer(token));
      expect(body.errors).toBeUndefined();
    });

    it(`is FORBIDDEN with every scope but ${scope}, and D24 is never called`, async () => {
      const others = ALL.filter((s) => s !== scope);
      const token = await hs256Token({
        claims: { scope: others.join(' '), permissions: ['cashouts:other'] },
      });
      const { status, body } = await service.graphql(OPS[field], variables(), bearer(token));
      expect(status).toBe(200);
      expect(body.data ?? null).toBeNull();
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: `Not allowed: ${field} needs the scope ${scope}`,
          path: [field],
          extensions: { code: 'FORBIDDEN' },
        }),
      ]);
      expect(service.sandbox.requests).toHaveLength(0);
    });
  });

  it('is FORBIDDEN with a token that has no scope at all', async () => {
    const { body } = await service.graphql(OPS.cashout, { cashoutId: '1008' }, bearer(await hs256Token()));
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
    expect(service.sandbox.requests).toHaveLength(0);
  });

  it('splits the scope claim on plain spaces only: a no-break space does not grant the next scope', async () => {
    for (const glue of ['\u00a0', '\t', '\n', '\u2003']) {
      const token = await hs256Token({ claims: { scope: `cashouts:read${glue}cashouts:hold` } });
      const { body } = await service.graphql(
        OPS.holdCashout,
        { input: { cashoutId: '1001' } },
        bearer(token),
      );
      expect(body.errors?.[0]?.extensions, JSON.stringify(glue)).toEqual({ code: 'FORBIDDEN' });
    }
    const token = await hs256Token({ claims: { scope: '  cashouts:read   cashouts:hold ' } });
    const { body } = await service.graphql(OPS.cashout, { cashoutId: '1008' }, bearer(token));
    expect(body.errors).toBeUndefined();
    expect(service.sandbox.get(1001)?.status).toBe('PENDING');
  });

  it('checks scopes before input validation', async () => {
    const token = await hs256Token({ claims: { scope: 'cashouts:read' } });
    const { body } = await service.graphql(OPS.holdCashout, { input: { cashoutId: 'nope' } }, bearer(token));
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
  });
});

describe('remote JWKS (AUTH_JWKS_URL): RS256 and ES256, cached, rotated', () => {
  let jwks: JwksServer;
  let rsa: SigningKey;
  let ec: SigningKey;
  beforeAll(async () => {
    [rsa, ec] = await Promise.all([signingKey('rsa-1', 'RS256'), signingKey('ec-1', 'ES256')]);
    jwks = await startJwksServer([rsa, ec]);
  });
  afterAll(() => jwks.close());
  beforeEach(() => {
    jwks.keys = [rsa, ec];
    jwks.down = false;
  });

  const request = (token: string) => bearer(token).authorization;
  const authenticator = (options = {}) =>
    createAuthenticator({ mode: 'jwt', jwksUrl: jwks.url, audience: AUDIENCE }, options);

  it('verifies RS256 and ES256 tokens, fetching the key set once', async () => {
    const authenticate = authenticator();
    const before = jwks.fetches;
    const alice = await authenticate(request(await rsa.sign({ aud: AUDIENCE, scope: 'cashouts:read' })));
    const bob = await authenticate(
      request(await ec.sign({ sub: 'bob', aud: AUDIENCE, permissions: ['a', 'b'] })),
    );
    expect(alice).toEqual({
      subject: 'alice',
      scopes: new Set(['cashouts:read']),
      expiresAt: expect.any(Number),
    });
    expect(bob).toEqual({ subject: 'bob', scopes: new Set(['a', 'b']), expiresAt: expect.any(Number) });
    expect(jwks.fetches - before).toBe(1);
  });

  it('picks up a rotated key: an unknown kid refetches the key set', async () => {
    const authenticate = authenticator({ jwksCooldownMs: 0 });
    await authenticate(request(await rsa.sign({ aud: AUDIENCE })));
    const next = await signingKey('rsa-2', 'RS256');
    jwks.keys = [next];
    const before = jwks.fetches;
    const principal = await authenticate(request(await next.sign({ sub: 'carol', aud: AUDIENCE })));
    expect(principal.subject).toBe('carol');
    expect(jwks.fetches - before).toBe(1);
  });

  it('does not refetch for every unknown kid within the cooldown', async () => {
    const authenticate = authenticator({ jwksCooldownMs: 60_000 });
    await authenticate(request(await rsa.sign({ aud: AUDIENCE })));
    const stranger = await signingKey('unknown', 'RS256');
    const before = jwks.fetches;
    for (let i = 0; i < 5; i++) {
      await expect(authenticate(request(await stranger.sign({ aud: AUDIENCE })))).rejects.toMatchObject({
        reason: 'ERR_JWKS_NO_MATCHING_KEY',
        keysUnavailable: false,
      });
    }
    expect(jwks.fetches - before).toBe(0);
  });

  it('refuses a token signed by a key not in the set, with the wrong audience, or HS256 with a public key', async () => {
    const authenticate = authenticator();
    const stranger = await signingKey('rsa-1', 'RS256');
    await expect(authenticate(request(await stranger.sign({ aud: AUDIENCE })))).rejects.toBeInstanceOf(
      AuthenticationError,
    );
    await expect(authenticate(request(await rsa.sign({ aud: 'other' })))).rejects.toMatchObject({
      reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
    const hs = await hs256Token({ secret: JSON.stringify(rsa.publicJwk), claims: { aud: AUDIENCE } });
    await expect(authenticate(request(hs))).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('through the service: 200 with a JWKS token, 503 (not 401) while the JWKS cannot be fetched', async () => {
    const service = await startTestService({ AUTH_JWKS_URL: jwks.url, AUTH_AUDIENCE: AUDIENCE });
    try {
      const ok = await service.graphql(
        OPS.cashout,
        { cashoutId: '1008' },
        bearer(await ec.sign({ aud: AUDIENCE, scope: 'cashouts:read' })),
      );
      expect(ok.status).toBe(200);
      expect(ok.body.errors).toBeUndefined();

      const other = await startTestService({ AUTH_JWKS_URL: jwks.url, AUTH_AUDIENCE: AUDIENCE });
      jwks.down = true;
      const unavailable = await other.graphql(OPS.cashout, { cashoutId: '1008' }, bearer(await rsa.sign({})));
      await other.close();
      expect(unavailable.status).toBe(503);
      expect(unavailable.body.errors?.[0]?.extensions).toEqual({ code: 'AUTHENTICATION_UNAVAILABLE' });
    } finally {
      await service.close();
    }
  });
});

describe('a JWKS outage is remembered for a few seconds', () => {
  let jwks: JwksServer;
  let rsa: SigningKey;
  beforeAll(async () => {
    rsa = await signingKey('rsa-outage', 'RS256');
    jwks = await startJwksServer([rsa]);
  });
  afterAll(() => jwks.close());

  it('through the service: one fetch and one error line, then 503 at once for every request', async () => {
    const logs = captureLogs();
    const service = await startTestService(
      { AUTH_JWKS_URL: jwks.url },
      { logger: logs.logger, audit: logs.audit },
    );
    try {
      jwks.down = true;
      const before = jwks.fetches;
      const answers = [];
      for (let i = 0; i < 5; i++) {
        answers.push(await service.graphql(OPS.cashout, { cashoutId: '1008' }, bearer(await rsa.sign({}))));
      }
      expect(answers.map((a) => [a.status, a.headers.get('retry-after')])).toEqual(Array(5).fill([503, '5']));
      expect(jwks.fetches - before).toBe(1);
      expect(logs.lines().filter((line) => line.level === 50)).toEqual([
        expect.objectContaining({ msg: 'bearer token not verifiable: the JWKS could not be fetched' }),
      ]);
    } finally {
      jwks.down = false;
      await service.close();
    }
  });

  it('fetches again once the window has passed, and lets tokens in when the keys are back', async () => {
    let clock = Date.now();
    const authenticate = createAuthenticator({ mode: 'jwt', jwksUrl: jwks.url }, { now: () => clock });
    jwks.down = true;
    const before = jwks.fetches;
    const token = bearer(await rsa.sign({})).authorization;
    await expect(authenticate(token)).rejects.toMatchObject({ keysUnavailable: true, remembered: false });
    await expect(authenticate(token)).rejects.toMatchObject({ keysUnavailable: true, remembered: true });
    expect(jwks.fetches - before).toBe(1);
    jwks.down = false;
    clock += JWKS_OUTAGE_MS + 1;
    expect((await authenticate(token)).subject).toBe('alice');
    expect(jwks.fetches - before).toBe(2);
  });
});

describe('AUTH_MAX_TOKEN_TTL', () => {
  it('is a duration, 24 h by default, from 60 s to 31 days', () => {
    const ttl = (value?: string) => {
      const auth = loadConfig({
        AUTH_JWT_SECRET: TEST_SECRET,
        ...(value && { AUTH_MAX_TOKEN_TTL: value }),
      }).auth;
      return auth.mode === 'jwt' ? auth.maxTokenTtlSeconds : undefined;
    };
    expect(ttl()).toBe(86_400);
    expect([ttl('3600'), ttl('90m'), ttl('8h'), ttl('2d'), ttl('60s')]).toEqual([
      3_600, 5_400, 28_800, 172_800, 60,
    ]);
    for (const bad of ['1y', '-5', '10', '40d', '1.5h']) {
      expect(() => ttl(bad), bad).toThrow(/AUTH_MAX_TOKEN_TTL/);
    }
  });

  it('refuses a token living longer than the configured maximum', async () => {
    const authenticate = createAuthenticator({ mode: 'jwt', secret: TEST_SECRET, maxTokenTtlSeconds: 600 });
    const header = async (expiresIn: number) => bearer(await hs256Token({ expiresIn })).authorization;
    expect((await authenticate(await header(600))).subject).toBe('alice');
    await expect(authenticate(await header(3_600))).rejects.toMatchObject({
      reason: 'lifetime longer than AUTH_MAX_TOKEN_TTL',
    });
  });
});

describe('secure by default', () => {
  const capture = () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
    return { lines, logger };
  };

  it('no auth on the embedded sandbox: every request is the local developer, and start-up says so', async () => {
    const { lines, logger } = capture();
    const service = await startTestService({}, { logger });
    try {
      expect(lines.join('')).toMatch(/"level":40,.*AUTHENTICATION OFF.*every request has all scopes/);
      const { body } = await service.graphql(OPS.holdCashout, { input: { cashoutId: '1002' } });
      expect(body.data).toMatchObject({ holdCashout: { __typename: 'HoldCashoutSuccess' } });
      const authenticate = createAuthenticator(loadConfig({}).auth);
      expect(await authenticate(null)).toBe(SANDBOX_DEVELOPER);
    } finally {
      await service.close();
    }
  });

  it('AUTH_DISABLED=true: all scopes for everyone, said loudly at start-up', async () => {
    const { lines, logger } = capture();
    const service = await startTestService({ AUTH_DISABLED: 'true' }, { logger });
    try {
      expect(lines.join('')).toMatch(/"level":40,.*AUTH_DISABLED=true/);
      const { body } = await service.graphql(OPS.cashout, { cashoutId: '1008' });
      expect(body.errors).toBeUndefined();
      const authenticate = createAuthenticator({ mode: 'disabled' });
      expect(await authenticate(null)).toBe(AUTH_DISABLED_PRINCIPAL);
    } finally {
      await service.close();
    }
  });

  it('a token is required once AUTH_JWT_SECRET is set, even on the sandbox', async () => {
    const service = await startTestService({ AUTH_JWT_SECRET: TEST_SECRET });
    try {
      expect((await service.graphql(OPS.cashout, { cashoutId: '1008' })).status).toBe(401);
    } finally {
      await service.close();
    }
  });

  const REAL_D24 = {
    D24_BASE_URL: 'https://api-stg.directa24.com',
    D24_LOGIN: 'login',
    D24_PASS: 'pass',
    D24_SECRET_KEY: 'secret-key',
  };

  it('refuses a real D24_BASE_URL without AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_DISABLED=true', () => {
    expect(() => loadConfig(REAL_D24)).toThrow(ConfigError);
    expect(() => loadConfig({ ...REAL_D24, AUTH_DISABLED: 'false' })).toThrow(/AUTH_JWT_SECRET/);
    expect(loadConfig({ ...REAL_D24, AUTH_JWT_SECRET: TEST_SECRET }).auth.mode).toBe('jwt');
    expect(loadConfig({ ...REAL_D24, AUTH_JWKS_URL: 'https://idp.test/jwks' }).auth.mode).toBe('jwt');
    expect(loadConfig({ ...REAL_D24, AUTH_DISABLED: 'true' }).auth.mode).toBe('disabled');
  });

  it('`npm start` against a real D24 without auth exits 1, naming the variable and no secret', async () => {
    const main = new URL('../src/main.ts', import.meta.url).pathname;
    const failure = await run(process.execPath, ['--import', 'tsx', main], {
      env: { PATH: process.env.PATH, ...REAL_D24, PORT: '0' },
      timeout: 30_000,
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/AUTH_JWT_SECRET: a real D24_BASE_URL needs/);
    expect(failure?.stderr).not.toContain('secret-key');
  });
});

describe('npm run token (a development token)', () => {
  it('mints an HS256 token the service accepts, with the scopes asked for', async () => {
    const tool = new URL('../src/tools/mint-token.ts', import.meta.url).pathname;
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        tool,
        '--sub',
        'dev-alice',
        '--scope',
        'cashouts:read cashouts:hold',
        '--ttl',
        '10m',
      ],
      { env: { PATH: process.env.PATH, AUTH_JWT_SECRET: TEST_SECRET }, timeout: 30_000 },
    );
    const authenticate = createAuthenticator({ mode: 'jwt', secret: TEST_SECRET });
    const principal = await authenticate(bearer(stdout.trim()).authorization);
    expect(principal).toEqual({
      subject: 'dev-alice',
      scopes: new Set(['cashouts:read', 'cashouts:hold']),
      expiresAt: expect.any(Number),
    });
  });
});
