import fc from 'fast-check';
import { type Field, isValidCashoutId, isValidExternalId } from './operations.js';

// The arbitraries the fuzz tests share (test/fuzz.test.ts, test/fuzz-paths.test.ts): variables and inline literals
// weighted towards what breaks naive handling, and the JSON writer that can send numbers JSON.stringify cannot.

/** `FUZZ_SEED`, when set: replays a failure fast-check reported (it prints the seed with the counterexample). */
const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** fast-check's options for `numRuns` cases, with FUZZ_SEED when set. */
export const fuzzOptions = (numRuns: number) => ({
  numRuns,
  ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }),
});

/** A JSON token written as is into the request body (numbers JSON.stringify cannot produce). */
class Raw {
  constructor(readonly text: string) {}
}

export function serialize(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, inner]) => `${JSON.stringify(key)}:${serialize(inner)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// Characters that break naive handling: controls, lone surrogates, BOM, RTL marks, astral, combining marks.
const nastyChar = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\ufeff', '\u200e', '\u202e', '\u0301', '😀', '𝟙', '١', '９', '"', '\\', '{', '$'),
);
export const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: fc.oneof(fc.string({ minLength: 1, maxLength: 1 }), nastyChar), maxLength: 110 }),
  fc.string({ unit: 'grapheme', minLength: 95, maxLength: 105 }),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'undefined',
    'NaN',
    'Infinity',
    '-Infinity',
    '0x1F',
    '1e3',
    '1.0',
    '+1',
    ' 1',
  ),
);
const MAX = 2n ** 53n - 1n;
const numericString = fc.oneof(
  fc.bigInt({ min: 1n, max: MAX }).map(String),
  fc.bigInt({ min: MAX - 3n, max: MAX + 3n }).map(String),
  fc.bigInt({ min: MAX + 1n, max: 10n ** 40n }).map(String),
  fc.bigInt({ min: -(10n ** 20n), max: 0n }).map(String),
  fc.bigInt({ min: 1n, max: 10n ** 6n }).map((n) => `0${n}`),
  fc.double().map(String),
  fc.constantFrom('1001', '1004', '1006', '1009', '100000', '9007199254740991', '9007199254740992'),
);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(1001, 1004, 2 ** 53, 2 ** 53 - 1, -1, 0, 0.5, 1e21, Number.MAX_VALUE),
  fc
    .constantFrom(
      '9007199254740993',
      '1e400',
      '-1e400',
      '-0',
      '1.0',
      '1e3',
      '1001.000',
      '1E2',
      '123456789012345678901234567890',
    )
    .map((text) => new Raw(text)),
);
const scalar = fc.oneof(anyString, numericString, anyNumber, fc.boolean(), fc.constant(null));
// Keys that turn a naive String(value), `in` or spread of caller input into a crash or a prototype change.
const objectKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('toString', 'valueOf', '__proto__', 'constructor', 'then', 'toJSON'),
  },
);
// Any JSON value, scalars weighted towards the nasty ones above.
export const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(objectKey, tie('value'), { maxKeys: 3 }),
  ),
})).value;
const validId = fc.oneof(
  fc.bigInt({ min: 1n, max: MAX }).map(String),
  fc.constantFrom('1001', '1002', '1004', '1005', '1006', '1008', '1009', 1003, 1005),
);
// Objects whose String() throws, or that look like something else: what crashed the audit of refusals once.
const hostile = fc.oneof(
  fc.constantFrom({ toString: 1 }, { valueOf: 'x', toString: null }, { toJSON: 1 }, { __proto__: { x: 1 } }),
  fc.dictionary(objectKey, scalar, { minKeys: 1, maxKeys: 2 }),
);
const idValue = fc.oneof(
  { weight: 2, arbitrary: validId },
  numericString,
  anyNumber,
  scalar,
  anyValue,
  hostile,
);
const externalIdValue = fc.oneof(
  { weight: 3, arbitrary: anyString },
  { weight: 1, arbitrary: fc.constantFrom('seed-pending-1002', 'seed-on-hold-1004', 'seed-rejected-1008') },
  { weight: 1, arbitrary: anyValue },
  { weight: 1, arbitrary: hostile },
);
/** A value, or the key left out altogether. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 4 });

function inputObject(keys: ('cashoutId' | 'externalId')[]): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(
    keys.map((key) => [key, maybe(key === 'cashoutId' ? idValue : externalIdValue)]),
  ) as Record<string, fc.Arbitrary<unknown>>;
  const record = fc.record(fields, { requiredKeys: [] });
  return fc.oneof(
    { weight: 6, arbitrary: record },
    // An unknown field next to the right ones.
    {
      weight: 1,
      arbitrary: fc
        .tuple(record, fc.string({ minLength: 1, maxLength: 8 }), anyValue)
        .map(([base, key, value]) => ({ ...(base as object), [key]: value })),
    },
    { weight: 1, arbitrary: anyValue },
  );
}

export const variablesArb: Record<Field, fc.Arbitrary<unknown>> = {
  cashout: fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record(
        { cashoutId: maybe(idValue), externalId: maybe(externalIdValue) },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: anyValue },
  ),
  holdCashout: fc.oneof(
    { weight: 8, arbitrary: fc.record({ input: maybe(inputObject(['cashoutId'])) }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: anyValue },
  ),
  releaseCashout: fc.oneof(
    { weight: 8, arbitrary: fc.record({ input: maybe(inputObject(['cashoutId'])) }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: anyValue },
  ),
  cancelCashout: fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({ input: maybe(inputObject(['cashoutId', 'externalId'])) }, { requiredKeys: [] }),
    },
    { weight: 1, arbitrary: anyValue },
  ),
};

/** A GraphQL literal, with what the ID and String scalars make of it (undefined: they refuse it). */
interface Literal {
  text: string;
  asId: string | undefined;
  asString: string | undefined;
}

const literal: fc.Arbitrary<Literal> = fc.oneof(
  fc.oneof(anyString, numericString).map((s) => ({ text: JSON.stringify(s), asId: s, asString: s })),
  fc
    .oneof(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: 1n, max: MAX }))
    .map((n) => ({ text: String(n), asId: String(n), asString: undefined })),
  fc.constantFrom<Literal>(
    ...['1.5', '1e3', 'true', 'null', 'PENDING', '[1]', '{a: 1}', '$x', '"\\uD800"', ')'].map((text) => ({
      text,
      asId: undefined,
      asString: undefined,
    })),
    { text: '"""block"""', asId: 'block', asString: 'block' },
    { text: '"\\u{1F600}"', asId: '😀', asString: '😀' },
    { text: '"""1001"""', asId: '1001', asString: '1001' },
  ),
);
const ok = (value: string | undefined, rule: (v: string) => boolean) => value !== undefined && rule(value);

export function literalArgs(field: Field): fc.Arbitrary<{ args: string; valid: boolean }> {
  if (field === 'cashout') {
    return fc.record({ id: maybe(literal), ext: maybe(literal) }).map(({ id, ext }) => {
      const parts = [...(id ? [`cashoutId: ${id.text}`] : []), ...(ext ? [`externalId: ${ext.text}`] : [])];
      const nonNull = (l: Literal | undefined) => l !== undefined && l.text !== 'null';
      const fine = (l: Literal | undefined, rule: (v: string) => boolean, as: 'asId' | 'asString') =>
        l === undefined || l.text === 'null' || ok(l[as], rule);
      return {
        args: parts.length ? `(${parts.join(', ')})` : '',
        valid:
          (nonNull(id) || nonNull(ext)) &&
          fine(id, isValidCashoutId, 'asId') &&
          fine(ext, isValidExternalId, 'asString'),
      };
    });
  }
  return fc.record({ id: literal, ext: maybe(literal) }).map(({ id, ext }) => {
    const withExt = field === 'cancelCashout' ? ext : undefined;
    const args = `{cashoutId: ${id.text}${withExt ? `, externalId: ${withExt.text}` : ''}}`;
    return {
      args,
      valid:
        ok(id.asId, isValidCashoutId) &&
        (field !== 'cancelCashout' || (withExt !== undefined && ok(withExt.asString, isValidExternalId))),
    };
  });
}
