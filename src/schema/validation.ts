import { z } from 'zod';
import { CashoutError } from '../d24/errors.js';

// docs/contract.md: a decimal integer from 1 to 2^53−1, sent to D24 as a JSON number.
export const cashoutIdSchema = z
  .string()
  .refine(
    (id) => /^[1-9][0-9]{0,15}$/.test(id) && Number.isSafeInteger(Number(id)),
    'must be a decimal integer from 1 to 9007199254740991',
  );

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export const externalIdSchema = z
  .string()
  .refine((id) => id.length > 0 && [...id].length <= 100, 'must be 1 to 100 characters')
  .refine((id) => !CONTROL_CHARACTERS.test(id), 'must not contain control characters')
  // A lone surrogate would reach D24 as an escape it may not read back as the same id.
  .refine((id) => id.isWellFormed(), 'must be well-formed Unicode');

// biome-ignore lint/suspicious/noControlCharactersInRegex: line feed is the one control character a reason may hold.
const CONTROL_BUT_LINE_FEED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

// docs/contract.md: 1–500 characters, no control characters except line feed. Kept in the ledger, never sent to D24.
export const reasonSchema = z
  .string()
  .refine((reason) => reason.length > 0 && [...reason].length <= 500, 'must be 1 to 500 characters')
  .refine(
    (reason) => !CONTROL_BUT_LINE_FEED.test(reason),
    'must not contain control characters but line feed',
  )
  .refine((reason) => reason.isWellFormed(), 'must be well-formed Unicode');

export interface ValidationIssue {
  path: string[];
  message: string;
}

/** Input refused before any call to D24. */
export class ValidationError extends CashoutError {
  override readonly name = 'ValidationError';
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    super(
      `Invalid input: ${issues.map((issue) => `${issue.path.join('.') || '(arguments)'} ${issue.message}`).join('; ')}`,
    );
    this.issues = issues;
  }

  static fromZod(error: z.ZodError): ValidationError {
    return new ValidationError(
      error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
    );
  }
}
