import type { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import type { Logger } from 'pino';

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
