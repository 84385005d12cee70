import {
  type CashoutError,
  CashoutNotFoundError,
  D24_REFUSALS,
  type D24ErrorKind,
  D24RequestError,
  D24UnavailableError,
  InvalidStatusTransitionError,
} from '../d24/errors.js';
import { builder } from './builder.js';
import { CashoutStatusEnum } from './cashout-status.js';
import { ValidationError } from './validation.js';

/** The error members every result union carries; mapped from error classes once, here. */
export const LOOKUP_ERRORS = [ValidationError, CashoutNotFoundError, D24RequestError, D24UnavailableError];
export const STATUS_CHANGE_ERRORS = [...LOOKUP_ERRORS, InvalidStatusTransitionError];

const ErrorInterface = builder.interfaceRef<CashoutError>('Error').implement({
  description: 'Common shape of every typed error a result union can carry.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, in words fit to show an operator.' }),
  }),
});

const ValidationIssueRef = builder
  .objectRef<{ path: string[]; message: string }>('ValidationIssue')
  .implement({
    description: 'One problem with the input.',
    fields: (t) => ({
      path: t.exposeStringList('path', { description: 'Where in the input, e.g. ["input", "cashoutId"].' }),
      message: t.exposeString('message', { description: 'What is wrong there.' }),
    }),
  });

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input was refused before anything was sent to D24. Fix the input; nothing happened.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    issues: t.field({
      type: [ValidationIssueRef],
      description: 'Each problem found.',
      resolve: (error) => error.issues,
    }),
  }),
});

builder.objectType(CashoutNotFoundError, {
  name: 'CashoutNotFoundError',
  description: 'D24 has no such cashout (for a cancel: none with this cashoutId and externalId together).',
  interfaces: [ErrorInterface],
  fields: (t) => ({ code: t.exposeInt('code', { description: "D24's error code (509)." }) }),
});

builder.objectType(InvalidStatusTransitionError, {
  name: 'InvalidStatusTransitionError',
  description: 'The cashout is in a status from which the requested one cannot be reached. Nothing changed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    code: t.exposeInt('code', { description: "D24's error code (510)." }),
    currentStatus: t.field({
      type: CashoutStatusEnum,
      nullable: true,
      description: 'The status the cashout is in; null when it could not be looked up.',
      resolve: (error) => error.currentStatus,
    }),
    requestedStatus: t.field({
      type: CashoutStatusEnum,
      description: 'The status the operation asked for.',
      resolve: (error) => error.requestedStatus,
    }),
  }),
});

const D24ErrorKindEnum = builder.enumType('D24ErrorKind', {
  description: 'Why D24 refused a request.',
  values: Object.fromEntries(
    D24_REFUSALS.map(({ kind, description }) => [kind, { value: kind, description }]),
  ) as Record<D24ErrorKind, { value: D24ErrorKind; description: string }>,
});

builder.objectType(D24RequestError, {
  name: 'D24RequestError',
  description: 'D24 answered with an error code; nothing changed. Most kinds mean a configuration problem.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    code: t.exposeInt('code', { description: "D24's error code." }),
    kind: t.field({
      type: D24ErrorKindEnum,
      description: 'The code, classified.',
      resolve: (error) => error.kind,
    }),
  }),
});

export const OperationOutcomeEnum = builder.enumType('OperationOutcome', {
  description: 'Whether a failed call may have changed the cashout at D24.',
  values: {
    NOT_APPLIED: { description: 'Nothing reached D24: the operation did not happen.' },
    UNKNOWN: {
      description: 'The request may have reached D24: look the cashout up (or replay) before assuming.',
    },
  },
});

builder.objectType(D24UnavailableError, {
  name: 'D24UnavailableError',
  description: 'No usable answer from D24 (unreachable, timeout, dropped connection, unexpected body).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    retryable: t.exposeBoolean('retryable', {
      description: 'Whether a retry is safe (replays report changed: false).',
    }),
    outcome: t.field({
      type: OperationOutcomeEnum,
      description: 'Whether the operation may have happened.',
      resolve: (error) => error.outcome,
    }),
  }),
});
