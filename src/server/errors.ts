import type { GraphQLError } from 'graphql';
import { type YogaMaskedErrorOpts, maskError as yogaMaskError } from 'graphql-yoga';
import type { Logger } from 'pino';

/** Yoga's masked message for an unexpected error. */
const UNEXPECTED = 'Unexpected error.';

/**
 * Error masking, built once and handed to both Yoga (`maskedErrors`) and the hot path, so an unexpected error reads
 * the same on both. Production masks whatever NODE_ENV says; otherwise Yoga's default (NODE_ENV=development shows
 * the original error). The hot path's `mask` logs the original as Yoga's own wrapper does.
 */
export function createErrorMasking(production: boolean, logger: Logger) {
  const isDev = production ? false : undefined;
  const yoga: YogaMaskedErrorOpts = {
    maskError: (error, message, dev) => yogaMaskError(error, message, dev ?? isDev),
    errorMessage: UNEXPECTED,
    ...(production && { isDev: false }),
  };
  return {
    yoga,
    mask(error: GraphQLError): GraphQLError {
      const masked = yogaMaskError(error, UNEXPECTED, isDev) as GraphQLError;
      if (masked !== error) logger.error({ err: error, detail: [] });
      return masked;
    },
  };
}
