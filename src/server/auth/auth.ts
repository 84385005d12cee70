// Over 200 lines: HS256, JWKS and the sandbox developer share one token cache and one error mapping.
import type { Plugin } from 'graphql-yoga';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import { type AuthConfig, DEFAULT_MAX_TOKEN_TTL_SECONDS } from '../../config.js';
import { type Principal, SCOPES } from '../../context.js';
import { CODE, topLevelError } from '../errors.js';

/** On the embedded sandbox with no auth configured, every caller is this local developer. */
export const SANDBOX_DEVELOPER: Principal = Object.freeze({
  subject: 'sandbox-developer',
  scopes: new Set(SCOPES),
});

/** With AUTH_DISABLED=true (a gateway authenticates), every caller is this one principal. */
export const AUTH_DISABLED_PRINCIPAL: Principal = Object.freeze({
  subject: 'anonymous (AUTH_DISABLED)',
  scopes: new Set(SCOPES),
});

/** Seconds of clock difference tolerated between the token issuer and this service (`exp`, `nbf`, `iat`). */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Why a request was not authenticated; `reason` is for logs only and never names the token. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
  constructor(
    readonly reason: string,
    /** The signing keys could not be fetched: the token may be fine, the service is not. */
    readonly keysUnavailable = false,
    /** The keys were already known to be unavailable (nothing was fetched; already logged). */
    readonly remembered = false,
  ) {
    super(keysUnavailable ? 'signing keys unavailable' : 'missing or invalid bearer token');
  }
}

/** Takes the request's `Authorization` header (null when absent). */
export type Authenticator = (authorization: string | null | undefined) => Promise<Principal>;

export interface AuthenticatorOptions {
  /** After a JWKS fetch, how long an unknown `kid` waits before the next one (jose's cooldown). */
  jwksCooldownMs?: number;
  /** How long fetched keys are used before they are fetched again. */
  jwksCacheMaxAgeMs?: number;
  jwksTimeoutMs?: number;
  /** How long a failed JWKS fetch is remembered: requests needing the keys answer 503 at once meanwhile. */
  jwksOutageMs?: number;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

/** How long a JWKS outage is remembered, and the Retry-After it answers with. */
export const JWKS_OUTAGE_MS = 5_000;

const BEARER = /^Bearer +([\w-]+\.[\w-]+\.[\w-]+)$/i;

// jose throws these when the token itself is at fault; anything else from a JWKS means the keys could not be had.
const TOKEN_FAULTS = [
  errors.JWTExpired,
  errors.JWTClaimValidationFailed,
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
  errors.JWKInvalid,
];

/**
 * Turns a request into the principal calling: a verified bearer JWT (HS256 with AUTH_JWT_SECRET, or RS256/ES256
 * from AUTH_JWKS_URL, refetched on an unknown `kid` so key rotation needs no restart), or the fixed all-scopes
 * principal when authentication is off. Throws AuthenticationError.
 */
export function createAuthenticator(auth: AuthConfig, options: AuthenticatorOptions = {}): Authenticator {
  if (auth.mode === 'sandbox-developer') return async () => SANDBOX_DEVELOPER;
  if (auth.mode === 'disabled') return async () => AUTH_DISABLED_PRINCIPAL;

  const claims = {
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ['sub', 'exp'],
    ...(auth.issuer && { issuer: auth.issuer }),
    ...(auth.audience && { audience: auth.audience }),
  };
  let verify: (token: string) => Promise<JWTPayload>;
  if (auth.secret) {
    const key = new TextEncoder().encode(auth.secret);
    verify = async (token) => (await jwtVerify(token, key, { ...claims, algorithms: ['HS256'] })).payload;
  } else {
    const jwks = createRemoteJWKSet(new URL(auth.jwksUrl as string), {
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
      timeoutDuration: options.jwksTimeoutMs ?? 5_000,
    });
    verify = async (token) =>
      (await jwtVerify(token, jwks, { ...claims, algorithms: ['RS256', 'ES256'] })).payload;
  }

  const now = options.now ?? Date.now;
  const outageMs = options.jwksOutageMs ?? JWKS_OUTAGE_MS;
  const maxTtlSeconds = auth.maxTokenTtlSeconds ?? DEFAULT_MAX_TOKEN_TTL_SECONDS;
  // Until when the JWKS is known to be down: one fetch (and one error line) per outage window, not per request.
  let keysDownUntil = 0;
  const verified = new VerifiedTokens(now);
  return async (header) => {
    if (!header) throw new AuthenticationError('no Authorization header');
    const token = BEARER.exec(header.trim())?.[1];
    if (!token) throw new AuthenticationError('Authorization is not "Bearer <JWT>"');
    const known = verified.get(token);
    if (known) return known;
    if (now() < keysDownUntil) throw new AuthenticationError('JWKS unavailable', true, true);
    let payload: JWTPayload;
    try {
      payload = await verify(token);
    } catch (error) {
      if (TOKEN_FAULTS.some((fault) => error instanceof fault)) {
        throw new AuthenticationError((error as errors.JOSEError).code);
      }
      if (auth.secret) throw new AuthenticationError('token not verifiable');
      // Concurrent requests awaiting the same failed fetch: the first one opens the window and is the one logged.
      const remembered = now() < keysDownUntil;
      if (!remembered) keysDownUntil = now() + outageMs;
      const reason = error instanceof errors.JOSEError ? error.code : 'JWKS fetch failed';
      throw new AuthenticationError(reason, true, remembered);
    }
    checkLifetime(payload, now() / 1000, maxTtlSeconds);
    const principal = principalFrom(payload);
    verified.set(token, principal, payload.exp as number);
    return principal;
  };
}

/**
 * What jose leaves unchecked: an `iat` in the future (beyond the clock skew), and a lifetime longer than
 * AUTH_MAX_TOKEN_TTL — `exp − iat`, or `exp − now` for a token without `iat` — so a leaked token cannot live for years.
 */
function checkLifetime(payload: JWTPayload, nowSeconds: number, maxTtlSeconds: number): void {
  const { iat, exp } = payload as { iat?: number; exp: number };
  if (iat !== undefined && iat > nowSeconds + CLOCK_TOLERANCE_SECONDS) {
    throw new AuthenticationError('"iat" is in the future');
  }
  if (exp - Math.min(iat ?? nowSeconds, nowSeconds) > maxTtlSeconds + CLOCK_TOLERANCE_SECONDS) {
    throw new AuthenticationError('lifetime longer than AUTH_MAX_TOKEN_TTL');
  }
}

/**
 * Tokens verified in the last minute (never past their `exp`): a token verifies the same way until it expires, and
 * jose's check was the costliest step of a request in `npm run bench`. The minute bounds how long a rotated secret
 * or JWKS key takes to bite; the size bound, how much memory a flood of valid tokens can take. Failures are not kept.
 */
class VerifiedTokens {
  static readonly TTL_MS = 60_000;
  static readonly MAX_ENTRIES = 10_000;
  readonly #entries = new Map<string, { principal: Principal; until: number }>();

  constructor(private readonly now: () => number) {}

  get(token: string): Principal | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.principal;
    this.#entries.delete(token);
    return undefined;
  }

  set(token: string, principal: Principal, expSeconds: number): void {
    if (this.#entries.size >= VerifiedTokens.MAX_ENTRIES) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
    this.#entries.set(token, {
      principal,
      until: Math.min(expSeconds * 1000, this.now() + VerifiedTokens.TTL_MS),
    });
  }
}

function principalFrom(payload: JWTPayload): Principal {
  if (typeof payload.sub !== 'string' || payload.sub === '')
    throw new AuthenticationError('"sub" is not a string');
  const scopes = new Set<string>();
  // OAuth 2.0 (RFC 6749 §3.3): scopes are separated by U+0020 only; a no-break space is part of a scope's name.
  if (typeof payload.scope === 'string')
    for (const scope of payload.scope.split(' ')) if (scope) scopes.add(scope);
  if (Array.isArray(payload.permissions)) {
    for (const permission of payload.permissions) if (typeof permission === 'string') scopes.add(permission);
  }
  const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  return Object.freeze({ subject: payload.sub, scopes, ...(expiresAt !== undefined && { expiresAt }) });
}

/**
 * A Yoga plugin that authenticates every GraphQL request before it is parsed or validated (so an unauthenticated
 * caller learns nothing about the schema), and `principalOf(request)` for the context factory.
 */
export function createAuthentication(
  auth: AuthConfig,
  logger: Logger,
  options: AuthenticatorOptions = {},
): { plugin: Plugin; authenticate: Authenticator; principalOf(request: Request): Principal } {
  const authenticate = createAuthenticator(auth, options);
  const principals = new WeakMap<Request, Principal>();
  if (auth.mode === 'sandbox-developer') {
    logger.warn(
      'AUTHENTICATION OFF: no AUTH_* set and D24 is the embedded sandbox; every request has all scopes',
    );
  } else if (auth.mode === 'disabled') {
    logger.warn(
      'AUTHENTICATION OFF (AUTH_DISABLED=true): every request has all scopes; a gateway must authenticate',
    );
  } else {
    logger.info(
      { issuer: auth.issuer ?? null, audience: auth.audience ?? null },
      `Bearer JWT authentication: ${auth.secret ? 'HS256 (AUTH_JWT_SECRET)' : 'RS256/ES256 from AUTH_JWKS_URL'}`,
    );
  }
  return {
    plugin: {
      async onParams({ request }) {
        if (principals.has(request)) return;
        try {
          principals.set(request, await authenticate(request.headers.get('authorization')));
        } catch (error) {
          throw toGraphQLError(error, logger);
        }
      },
    },
    authenticate,
    principalOf(request) {
      const principal = principals.get(request);
      // Unreachable: onParams runs before any context is built; refuse rather than run unauthenticated.
      if (!principal) throw new Error('request reached execution without authentication');
      return principal;
    },
  };
}

function toGraphQLError(error: unknown, logger: Logger) {
  if (!(error instanceof AuthenticationError)) throw error;
  if (error.keysUnavailable) {
    if (!error.remembered) {
      logger.error(
        { reason: error.reason, rememberedForMs: JWKS_OUTAGE_MS },
        'bearer token not verifiable: the JWKS could not be fetched',
      );
    }
    return topLevelError(CODE.AUTHENTICATION_UNAVAILABLE, undefined, {
      http: { headers: { 'Retry-After': `${Math.ceil(JWKS_OUTAGE_MS / 1000)}` } },
    });
  }
  logger.debug({ reason: error.reason }, 'bearer token refused');
  return topLevelError(CODE.UNAUTHENTICATED, undefined, {
    http: { headers: { 'WWW-Authenticate': 'Bearer realm="d24-cashout-graphql"' } },
  });
}
