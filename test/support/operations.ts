import { exampleDocument } from '../../src/server/http/examples.js';

/** The four root fields and the example operation (selecting every union member) for each. */
export const FIELDS = ['cashout', 'holdCashout', 'releaseCashout', 'cancelCashout'] as const;
export type Field = (typeof FIELDS)[number];
export type MutationField = Exclude<Field, 'cashout'>;

export const OPERATIONS: Record<Field, string> = Object.fromEntries(
  FIELDS.map((field) => [field, exampleDocument(field)]),
) as Record<Field, string>;

const ERRORS = ['ValidationError', 'CashoutNotFoundError', 'D24RequestError', 'D24UnavailableError'];

/** docs/contract.md's unions, written out here (not read from the schema) so a drift in the schema fails a test. */
export const MEMBERS: Record<Field, ReadonlySet<string>> = {
  cashout: new Set(['Cashout', ...ERRORS]),
  holdCashout: new Set(['HoldCashoutSuccess', 'InvalidStatusTransitionError', ...ERRORS]),
  releaseCashout: new Set(['ReleaseCashoutSuccess', 'InvalidStatusTransitionError', ...ERRORS]),
  cancelCashout: new Set(['CancelCashoutSuccess', 'InvalidStatusTransitionError', ...ERRORS]),
};

/** The status each mutation asks for, and the status it starts from in the happy path. */
export const TRANSITIONS = {
  holdCashout: { from: 'PENDING', to: 'ON_HOLD' },
  releaseCashout: { from: 'ON_HOLD', to: 'PENDING' },
  cancelCashout: { from: 'PENDING', to: 'CANCELLED' },
} as const;

export interface TypedResult {
  __typename: string;
  [key: string]: unknown;
}

/**
 * The union member in a GraphQL answer, or a description of why the answer is not one: HTTP 200, no top-level
 * errors, `data.<field>.__typename` a member of the field's union.
 */
export function typedResult(
  field: Field,
  status: number,
  body: unknown,
): { result: TypedResult } | { problem: string } {
  if (status !== 200) return { problem: `HTTP ${status}: ${JSON.stringify(body).slice(0, 300)}` };
  const { data, errors } = (body ?? {}) as { data?: Record<string, TypedResult | null>; errors?: unknown };
  if (errors !== undefined) return { problem: `top-level errors: ${JSON.stringify(errors).slice(0, 300)}` };
  const result = data?.[field];
  if (!result || !MEMBERS[field].has(result.__typename)) {
    return { problem: `not a ${field} union member: ${JSON.stringify(body).slice(0, 300)}` };
  }
  return { result };
}

// The input rules of docs/contract.md, written independently of src/schema/validation.ts so the two check each other.
const MAX_ID = 2n ** 53n - 1n;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A `cashoutId` the contract accepts, as the GraphQL `ID` scalar receives it (a string, or an integer). */
export function isValidCashoutId(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= Number(MAX_ID);
  return (
    typeof value === 'string' && /^[0-9]{1,16}$/.test(value) && value[0] !== '0' && BigInt(value) <= MAX_ID
  );
}

/** An `externalId` the contract accepts: 1–100 characters, well-formed, no control characters. */
export function isValidExternalId(value: unknown): boolean {
  if (typeof value !== 'string' || !value.isWellFormed()) return false;
  const length = [...value].length;
  return length >= 1 && length <= 100 && !CONTROL.test(value);
}

/**
 * What is wrong with a body the D24 sandbox received (null: nothing): `cashout_id`, when present, must be a
 * positive safe integer written as a plain JSON number; `external_id`, when present, a valid external id; a
 * state change must name a `cashout_id`.
 */
export function wireProblem(method: string, rawBody: string): string | null {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return `not JSON: ${rawBody.slice(0, 200)}`;
  }
  const token = /"cashout_id":(-?[0-9][0-9.eE+-]*)/.exec(rawBody)?.[1];
  if ('cashout_id' in body) {
    const id = body.cashout_id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1 || token !== String(id)) {
      return `bad cashout_id in ${rawBody.slice(0, 200)}`;
    }
  } else if (method !== 'POST') {
    return `state change without cashout_id: ${rawBody.slice(0, 200)}`;
  }
  if ('external_id' in body && !isValidExternalId(body.external_id)) {
    return `bad external_id in ${JSON.stringify(rawBody.slice(0, 200))}`;
  }
  if (!('cashout_id' in body) && !('external_id' in body)) return `no id at all: ${rawBody.slice(0, 200)}`;
  return null;
}
