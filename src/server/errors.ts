import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import type { Logger } from 'pino';

/** What the service declares about one top-level error code. */
export interface TopLevelErrorSpec {
  /** The HTTP status Yoga answers with; none: the error rides in a 200 (or in a stream) with the rest. */
  readonly status?: number;
  /** The message when the caller gives none. */
  readonly message?: string;
  /** A refusal of a root field: the field's audit and metrics type is this code (root-fields.ts). */
  readonly refusesField?: boolean;
  /** A refusal of the whole request before execution: the audit trail writes its events (audit.ts). */
  readonly refusesRequest?: boolean;
}

/**
 * Every top-level error the service makes (docs/security.md's refusals, the request errors, the ledger's and the
 * live feed's), by its `extensions.code`. D24's refusals are union members, not these (`src/d24/errors.ts`).
 * Adding a refusal is one entry here; the audit and the metrics read the flags.
 */
export const TOP_LEVEL_ERRORS = {
  UNAUTHENTICATED: {
    status: 401,
    message: 'Missing or invalid bearer token',
    refusesField: true,
    refusesRequest: true,
  },
  // The JWKS could not be fetched: a 503, but the trail records it as a refused request all the same.
  AUTHENTICATION_UNAVAILABLE: {
    status: 503,
    message: 'Authentication is temporarily unavailable',
    refusesRequest: true,
  },
  // Pothos scope-auth's: the field is null in a 200, its resolver (and D24) never runs.
  FORBIDDEN: { refusesField: true },
  RATE_LIMITED: { status: 429, refusesField: true, refusesRequest: true },
  BAD_REQUEST: { status: 400 },
  REQUEST_ENTITY_TOO_LARGE: { status: 413, message: 'Request body too large' },
  // No status (Yoga answers 200 to JSON): Apollo's persisted-query link then sends the full document (armor.ts).
  PERSISTED_QUERY_NOT_FOUND: { message: 'PersistedQueryNotFound' },
  PERSISTED_QUERY_ID_REQUIRED: {
    status: 400,
    message: 'Send a query, or the documentId of a persisted document',
  },
  PERSISTED_QUERY_ONLY: {
    status: 400,
    message: 'Only operations from the persisted-documents manifest may run here; send its documentId',
  },
  BAD_USER_INPUT: {},
  LEDGER_UNAVAILABLE: { message: 'The cashout ledger is unavailable; try again shortly.' },
  TOO_MANY_SUBSCRIPTIONS: {},
  // How a subscription's stream ends (src/live/stream.ts's EndReason, LEDGER_UNAVAILABLE included).
  TOKEN_EXPIRED: { message: 'The bearer token expired: subscribe again with a fresh token' },
  SLOW_CONSUMER: { message: 'Events arrived faster than this client read them' },
  SHUTTING_DOWN: { message: 'This replica is shutting down: subscribe again' },
} as const satisfies Record<string, TopLevelErrorSpec>;

export type TopLevelCode = keyof typeof TOP_LEVEL_ERRORS;

const SPECS: Record<TopLevelCode, TopLevelErrorSpec> = TOP_LEVEL_ERRORS;
const CODES = Object.keys(TOP_LEVEL_ERRORS) as TopLevelCode[];

/** The codes by name, for callers: `CODE.RATE_LIMITED`. */
export const CODE = Object.fromEntries(CODES.map((code) => [code, code])) as {
  readonly [C in TopLevelCode]: C;
};

/** The codes whose spec has `flag` set. */
export function codesWhere(flag: 'refusesField' | 'refusesRequest'): ReadonlySet<string> {
  return new Set(CODES.filter((code) => SPECS[code][flag]));
}

/** Extensions beside the code; `http` adds headers (or, rarely, another status) to the declared status. */
type Extra = Record<string, unknown> & { http?: { status?: number; headers?: Record<string, string> } };

/** The codes that have a default message, so a caller may omit one. */
type CodeWithMessage = {
  [C in TopLevelCode]: (typeof TOP_LEVEL_ERRORS)[C] extends { message: string } ? C : never;
}[TopLevelCode];

/**
 * The one maker of top-level errors: `extensions: { code, ...extra, http: { status, ...extra.http } }`, `http` only
 * when the code has a status or the caller gives one (Yoga answers with it and strips it from the body).
 */
export function topLevelError(code: CodeWithMessage, message?: string, extra?: Extra): GraphQLError;
export function topLevelError(code: TopLevelCode, message: string, extra?: Extra): GraphQLError;
export function topLevelError(code: TopLevelCode, message?: string, extra?: Extra): GraphQLError {
  const { status } = SPECS[code];
  const { http, ...rest } = extra ?? {};
  const withHttp = http || status !== undefined;
  const extensions = withHttp
    ? { code, ...rest, http: { ...(status !== undefined && { status }), ...http } }
    : { code, ...rest };
  return new GraphQLError((message ?? SPECS[code].message) as string, { extensions });
}

/** Yoga's masked message for an unexpected error. */
const UNEXPECTED = 'Unexpected error.';

/**
 * Error masking, decided once and handed to both Yoga (`maskedErrors`) and the hot path, so an unexpected error
 * reads the same on both: production masks whatever NODE_ENV says; otherwise Yoga's default (NODE_ENV=development
 * shows the original error). Yoga wraps its exported `maskError` with these options; the hot path calls that same
 * function with the same options, and logs the original as Yoga's wrapper does (no read of Yoga's private state).
 */
export function createErrorMasking(production: boolean, logger: Logger) {
  const isDev = production ? false : undefined;
  return {
    yoga: production ? { isDev: false } : true,
    mask(error: GraphQLError): GraphQLError {
      const masked = yogaMaskError(error, UNEXPECTED, isDev) as GraphQLError;
      if (masked !== error) logger.error({ err: error, detail: [] });
      return masked;
    },
  };
}
