import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.js';

// RFC 3339 in UTC with milliseconds, the only form this service writes and reads.
const RFC3339_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function parse(value: unknown): Date {
  const date = typeof value === 'string' && RFC3339_UTC_MS.test(value) ? new Date(value) : null;
  if (!date || Number.isNaN(date.getTime())) {
    throw new GraphQLError(
      'DateTime must be RFC 3339 in UTC with milliseconds, e.g. 2026-12-01T21:08:32.123Z',
    );
  }
  return date;
}

export const DateTimeScalar = builder.scalarType('DateTime', {
  description: 'A point in time: RFC 3339 in UTC with milliseconds, e.g. "2026-12-01T21:08:32.123Z".',
  serialize: (value) => (typeof value === 'string' ? value : (value as Date).toISOString()),
  parseValue: parse,
  parseLiteral: (ast) => parse(ast.kind === Kind.STRING ? ast.value : null),
});
