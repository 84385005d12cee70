import type { Plugin } from 'graphql-yoga';
import { CODE, topLevelError } from '../errors.js';

/**
 * Yoga's GET and url-encoded parsers call JSON.parse on `variables` and `extensions` unguarded (graphql-yoga 5.24),
 * so `?variables={` became a 500. This wraps whichever parser was chosen and turns that into a 400.
 */
export function useBadParamsAs400(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser(async (request) => {
        try {
          return await requestParser(request);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          throw topLevelError(CODE.BAD_REQUEST, 'The variables or extensions parameter is not valid JSON.');
        }
      });
    },
  };
}
