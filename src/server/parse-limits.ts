import { parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Parses documents with a token limit: graphql-js parses recursively, so a deeply nested document (a few thousand
 * levels) otherwise overflows the stack and becomes a 500 instead of a 400 syntax error.
 */
export function useParseLimits(options: { maxTokens: number }): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, parseOptions) => parse(source, { ...parseOptions, maxTokens: options.maxTokens }));
    },
  };
}
