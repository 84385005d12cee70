// Over 200 lines: every environment variable, its validation and its place in Config, kept in one file on purpose.
import { z } from 'zod';
import type { D24Credentials } from './d24/client.js';
import { type DatabaseTarget, databaseTarget } from './ledger/connect.js';

const flag = z.enum(['true', 'false']).optional();
const optionalText = z.string().trim().min(1).optional();

// Every variable from docs/contract.md's configuration table (plus the operational knobs the README documents).
const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
    HOST: z.string().trim().min(1).default('127.0.0.1'),
    D24_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    D24_LOGIN: optionalText,
    D24_PASS: optionalText,
    D24_SECRET_KEY: optionalText,
    D24_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (256 bits) for HS256').optional(),
    AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    AUTH_ISSUER: optionalText,
    AUTH_AUDIENCE: optionalText,
    AUTH_DISABLED: flag,
    AUTH_MAX_TOKEN_TTL: z
      .string()
      .regex(/^\d+[smhd]?$/, 'must be a duration: seconds, or a number with s, m, h or d (e.g. 24h)')
      .transform(durationSeconds)
      .pipe(
        z
          .number()
          .int()
          .min(60, 'must be at least 60 s')
          .max(31 * 86_400, 'must be at most 31 days'),
      )
      .optional(),
    NODE_ENV: z.string().optional(),
    GRAPHIQL: flag,
    TRUSTED_DOCUMENTS: z.enum(['required', 'off']).optional(),
    // `off`: every request goes through Yoga (src/server/hot-path/ is skipped); to rule the hot path out of a problem.
    HOT_PATH: z.enum(['on', 'off']).default('on'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    READY_PROBE_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(120),
    DATABASE_URL: z
      .string()
      .refine((url) => databaseTarget(url) !== null, 'must be file:PATH or postgres://…')
      .optional(),
    LEDGER_BUFFER_EVENTS: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[\w.:-]{1,64}$/, 'must be 1-64 of letters, digits and _ . : -')
      .default('d24-cashout-graphql:'),
    SUBSCRIPTIONS_PER_PRINCIPAL: z.coerce.number().int().min(1).max(100_000).default(32),
    SUBSCRIPTIONS_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    LIVE_POLL_MS: z.coerce.number().int().min(100).max(600_000).default(1_000),
    // 0: off; otherwise at least a second (a tighter loop would only spend D24's rate on the same answers).
    RECONCILE_INTERVAL_MS: z.coerce
      .number()
      .int()
      .refine((ms) => ms === 0 || (ms >= 1_000 && ms <= 86_400_000), 'must be 0 (off) or 1000-86400000')
      .default(300_000),
    RECONCILE_RATE_PER_SECOND: z.coerce.number().min(0.1).max(100).default(5),
    LEDGER_DISABLED: flag,
  })
  .superRefine((env, ctx) => {
    if (env.D24_BASE_URL) {
      for (const key of ['D24_LOGIN', 'D24_PASS', 'D24_SECRET_KEY'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required with D24_BASE_URL' });
      }
      if (!env.AUTH_JWT_SECRET && !env.AUTH_JWKS_URL && env.AUTH_DISABLED !== 'true') {
        ctx.addIssue({
          code: 'custom',
          path: ['AUTH_JWT_SECRET'],
          message: 'a real D24_BASE_URL needs AUTH_JWT_SECRET, AUTH_JWKS_URL or AUTH_DISABLED=true',
        });
      }
    }
    if (env.AUTH_JWT_SECRET && env.AUTH_JWKS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_JWKS_URL'],
        message: 'set AUTH_JWT_SECRET or AUTH_JWKS_URL, not both',
      });
    }
  });

/** AUTH_MAX_TOKEN_TTL's default: a bearer token may live at most a day (exp − iat, or exp − now without iat). */
export const DEFAULT_MAX_TOKEN_TTL_SECONDS = 86_400;

export type AuthConfig =
  | {
      mode: 'jwt';
      secret?: string;
      jwksUrl?: string;
      issuer?: string;
      audience?: string;
      /** Longest lifetime a token may claim; DEFAULT_MAX_TOKEN_TTL_SECONDS when absent. */
      maxTokenTtlSeconds?: number;
    }
  | { mode: 'disabled' }
  /** No auth configured and D24 is the embedded sandbox: every caller is the local developer. */
  | { mode: 'sandbox-developer' };

export interface Config {
  server: { port: number; host: string };
  /** `baseUrl` null: start the embedded sandbox and use its credentials. */
  d24: { baseUrl: string | null; credentials: D24Credentials | null; timeoutMs: number };
  auth: AuthConfig;
  production: boolean;
  graphiql: boolean;
  trustedDocumentsRequired: boolean;
  /** HOT_PATH=off: Yoga answers every request (the hot path beside it is never taken). */
  hotPath: boolean;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  shutdownGraceMs: number;
  /** How often /ready's TCP probe of D24's origin runs (/ready itself only reads the last result). */
  readyProbeIntervalMs: number;
  rateLimitPerMinute: number;
  /** The ledger's database, and how many events may wait while it is down. */
  ledger: { target: DatabaseTarget; maxWaiting: number; disabled: boolean };
  /** `url` null: one replica, everything in process. `prefix` starts every key and channel. */
  redis: { url: string | null; prefix: string };
  /** Bounds on open subscription streams (SSE and WebSocket together), per principal and in this replica. */
  subscriptions: { perPrincipal: number; max: number };
  /** While anyone subscribes, how often the ledger is read anyway (what makes up for a lost Redis signal). */
  livePollMs: number;
  /** How often the reconciler re-checks the ledger's non-final cashouts at D24 (0: never), and how fast. */
  reconcile: { intervalMs: number; ratePerSecond: number };
}

/** Thrown when the environment is unusable; the message names every bad variable and never a value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment once into a frozen Config. */
export function loadConfig(env: NodeJS.ProcessEnv): Readonly<Config> {
  const parsed = envSchema.safeParse(withoutEmptyValues(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Bad configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  return deepFreeze({
    server: { port: e.PORT, host: e.HOST },
    d24: {
      baseUrl: e.D24_BASE_URL ?? null,
      credentials: e.D24_BASE_URL
        ? { login: e.D24_LOGIN as string, pass: e.D24_PASS as string, secretKey: e.D24_SECRET_KEY as string }
        : null,
      timeoutMs: e.D24_TIMEOUT_MS,
    },
    auth: authConfig(e),
    production,
    graphiql: !production || e.GRAPHIQL === 'true',
    trustedDocumentsRequired: e.TRUSTED_DOCUMENTS === 'required',
    hotPath: e.HOT_PATH === 'on',
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    readyProbeIntervalMs: e.READY_PROBE_INTERVAL_MS,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    ledger: {
      // The embedded sandbox starts afresh each time, so by default its ledger does too.
      target: e.DATABASE_URL
        ? (databaseTarget(e.DATABASE_URL) as DatabaseTarget)
        : { kind: 'sqlite', path: e.D24_BASE_URL ? './data/ledger.sqlite' : ':memory:' },
      maxWaiting: e.LEDGER_BUFFER_EVENTS,
      // Only to measure the ledger's cost (the benchmark's "ledger off" row).
      disabled: e.LEDGER_DISABLED === 'true',
    },
    redis: { url: e.REDIS_URL ?? null, prefix: e.REDIS_KEY_PREFIX },
    subscriptions: { perPrincipal: e.SUBSCRIPTIONS_PER_PRINCIPAL, max: e.SUBSCRIPTIONS_MAX },
    livePollMs: e.LIVE_POLL_MS,
    reconcile: { intervalMs: e.RECONCILE_INTERVAL_MS, ratePerSecond: e.RECONCILE_RATE_PER_SECOND },
  });
}

function authConfig(e: z.infer<typeof envSchema>): AuthConfig {
  if (e.AUTH_JWT_SECRET || e.AUTH_JWKS_URL) {
    return {
      mode: 'jwt',
      ...(e.AUTH_JWT_SECRET && { secret: e.AUTH_JWT_SECRET }),
      ...(e.AUTH_JWKS_URL && { jwksUrl: e.AUTH_JWKS_URL }),
      ...(e.AUTH_ISSUER && { issuer: e.AUTH_ISSUER }),
      ...(e.AUTH_AUDIENCE && { audience: e.AUTH_AUDIENCE }),
      maxTokenTtlSeconds: e.AUTH_MAX_TOKEN_TTL ?? DEFAULT_MAX_TOKEN_TTL_SECONDS,
    };
  }
  return e.AUTH_DISABLED === 'true' ? { mode: 'disabled' } : { mode: 'sandbox-developer' };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };
function durationSeconds(text: string): number {
  const unit = text.at(-1) as string;
  return unit in UNIT_SECONDS ? Number(text.slice(0, -1)) * (UNIT_SECONDS[unit] as number) : Number(text);
}

// An exported-but-empty variable (`FOO=`) means "unset", as in most deployment tools.
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => !!entry[1]));
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const inner of Object.values(value)) if (inner && typeof inner === 'object') deepFreeze(inner);
  return Object.freeze(value);
}
