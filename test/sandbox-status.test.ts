import { describe, expect, it } from 'vitest';
import { call, expectError, json, useSandbox } from './support/sandbox-wire.js';

// Looking cashouts up: status by cashout id or external id.

useSandbox();

describe('status', () => {
  it.each<[Record<string, unknown>, Record<string, unknown>]>([
    [{ cashout_id: 1001 }, { cashout_status: 0, cashout_status_description: 'Pending' }],
    [{ external_id: 'seed-on-hold-1004' }, { cashout_status: 5, cashout_status_description: 'On hold' }],
    [
      { cashout_id: 1006, external_id: 'seed-delivered-1006' },
      { cashout_status: 4, cashout_status_description: 'Delivered', bank_reference_id: 'BR-1006' },
    ],
    [
      { cashout_id: 1007 },
      { cashout_status: 1, cashout_status_description: 'Completed', bank_reference_id: 'BR-1007' },
    ],
    [
      { external_id: 'seed-rejected-1008' },
      {
        cashout_status: 3,
        cashout_status_description: 'Rejected',
        rejection_code: 800,
        rejection_reason: 'ERROR_ACCOUNT_INCORRECT',
        bank_reference_id: 'BR-1008',
      },
    ],
    [{ cashout_id: 1009 }, { cashout_status: 2, cashout_status_description: 'Canceled' }],
  ])('answers %j with %j', async (fields, expected) => {
    const reply = await call('status', fields);
    expect(reply.status).toBe(200);
    expect(json(reply)).toEqual(expected);
  });

  it.each([
    { cashout_id: 1001, external_id: 'seed-pending-1002' },
    { cashout_id: 999999, external_id: 'seed-pending-1002' },
    { cashout_id: 1001, external_id: 'nobody' },
    { cashout_id: 999999 },
    { external_id: 'nobody' },
  ])('answers 412/509 to %j', async (fields) => {
    expectError(await call('status', fields), 412, 509);
  });
});
