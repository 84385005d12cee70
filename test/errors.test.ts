import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';
import {
  CODE,
  TOP_LEVEL_ERRORS,
  type TopLevelCode,
  type TopLevelErrorSpec,
  topLevelError,
} from '../src/server/errors.js';

const CODES = Object.keys(TOP_LEVEL_ERRORS) as TopLevelCode[];
const SRC = path.resolve(import.meta.dirname, '../src');
// D24's client and its sandbox speak D24's codes, not ours; errors.ts is the table itself.
const NOT_SCANNED = ['d24', 'sandbox', 'server/errors.ts'].map((entry) => path.join(SRC, entry));

/** What Yoga answers when `error` is thrown before execution, as every request refusal is. */
async function answerTo(error: Error) {
  const yoga = createYoga({
    schema,
    logging: false,
    plugins: [
      {
        onParams() {
          throw error;
        },
      },
    ],
  });
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

describe('every top-level error comes from TOP_LEVEL_ERRORS (src/server/errors.ts)', () => {
  it.each(CODES)(
    '%s, made by topLevelError, answers its declared status with only its code',
    async (code) => {
      const spec: TopLevelErrorSpec = TOP_LEVEL_ERRORS[code];
      const error = topLevelError(code, spec.message ?? 'a message');
      expect(error.extensions.http).toEqual(spec.status === undefined ? undefined : { status: spec.status });
      const answer = await answerTo(error);
      expect(answer.status).toBe(spec.status ?? 200);
      expect(answer.body.errors).toEqual([{ message: spec.message ?? 'a message', extensions: { code } }]);
    },
  );

  it('extensions and headers ride beside the declared status; a caller may answer another', async () => {
    const error = topLevelError(CODE.RATE_LIMITED, 'slow down', {
      retryAfterSeconds: 3,
      http: { headers: { 'Retry-After': '3' } },
    });
    expect(error.extensions).toEqual({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 3,
      http: { status: 429, headers: { 'Retry-After': '3' } },
    });
    const answer = await answerTo(error);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('3');
    expect(answer.body.errors[0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: 3 });
    expect((await answerTo(topLevelError(CODE.BAD_REQUEST, 'no', { http: { status: 406 } }))).status).toBe(
      406,
    );
  });

  it('no file of src/ builds an error code of its own (extensions with a code, or a code literal)', () => {
    const offences: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8');
      const at = (index: number) => `${path.relative(SRC, file)}:${text.slice(0, index).split('\n').length}`;
      for (const match of text.matchAll(/\bextensions\s*:\s*\{/g)) {
        const body = balanced(text, match.index + match[0].length - 1);
        if (/\bcode\b/.test(body)) offences.push(`${at(match.index)}: extensions with a code`);
      }
      for (const match of text.matchAll(/\bcode\s*:\s*['"`]([A-Z_]+)['"`]/g)) {
        if (CODES.includes(match[1] as TopLevelCode)) offences.push(`${at(match.index)}: code '${match[1]}'`);
      }
    }
    expect(offences, 'make it with topLevelError(CODE.…) from src/server/errors.ts').toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (NOT_SCANNED.includes(full)) return [];
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.[cm]?ts$/.test(entry.name) ? [full] : [];
  });
}

/** The text from the `{` at `open` to its matching `}`. */
function balanced(text: string, open: number): string {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    if (text[index] === '{') depth++;
    else if (text[index] === '}' && --depth === 0) return text.slice(open, index + 1);
  }
  return text.slice(open);
}
