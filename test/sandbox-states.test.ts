import { describe, expect, it } from 'vitest';
import type { CashoutStatus } from '../src/d24/wire.js';
import { call, type Endpoint, expectError, json, sandbox, useSandbox } from './support/sandbox-wire.js';

// The cashout state machine, over HTTP and through the direct API the tests drive it with.

useSandbox();

describe('state machine over HTTP', () => {
  it('holds a PENDING cashout and releases it again', async () => {
    const held = await call('update', { cashout_id: 1001, status: 'ON_HOLD' });
    expect(held.status).toBe(200);
    expect(json(held)).toEqual({ cashout_status: 5, cashout_status_description: 'On hold' });
    expect(sandbox.get(1001)?.status).toBe('ON_HOLD');
    const released = await call('update', { cashout_id: 1001, status: 'PENDING' });
    expect(json(released)).toEqual({ cashout_status: 0, cashout_status_description: 'Pending' });
    expect(sandbox.get(1001)?.status).toBe('PENDING');
  });

  it.each<[number, string]>([
    [1004, 'ON_HOLD'],
    [1006, 'ON_HOLD'],
    [1007, 'ON_HOLD'],
    [1008, 'ON_HOLD'],
    [1009, 'ON_HOLD'],
    [1001, 'PENDING'],
    [1006, 'PENDING'],
    [1007, 'PENDING'],
    [1008, 'PENDING'],
    [1009, 'PENDING'],
  ])('refuses to update %i to %s with 400/510', async (cashoutId, status) => {
    const before = sandbox.get(cashoutId);
    const reply = await call('update', { cashout_id: cashoutId, status });
    expect(reply.status).toBe(400);
    expect(json(reply)).toEqual({ code: 510, message: 'Invalid status transition' });
    expect(sandbox.get(cashoutId)).toEqual(before);
  });

  it.each([1001, 1004])('cancels cashout %i', async (cashoutId) => {
    const externalId = sandbox.get(cashoutId)?.externalId;
    const reply = await call('cancel', { cashout_id: cashoutId, external_id: externalId });
    expect(reply.status).toBe(200);
    expect(json(reply)).toEqual({ cashout_status: 2, cashout_status_description: 'Canceled' });
    expect(sandbox.get(cashoutId)?.status).toBe('CANCELLED');
  });

  it.each([1006, 1007, 1008, 1009])('refuses to cancel %i with 412/510', async (cashoutId) => {
    const before = sandbox.get(cashoutId);
    const reply = await call('cancel', { cashout_id: cashoutId, external_id: before?.externalId });
    expectError(reply, 412, 510);
    expect(sandbox.get(cashoutId)).toEqual(before);
  });

  it.each<[string, Endpoint, Record<string, unknown>]>([
    ['an unknown id', 'update', { cashout_id: 999999, status: 'ON_HOLD' }],
    ['an unknown id', 'cancel', { cashout_id: 999999, external_id: 'x' }],
    ["another cashout's external_id", 'cancel', { cashout_id: 1001, external_id: 'seed-pending-1002' }],
  ])('answers 412/509 to %s on %s', async (_label, endpoint, fields) => {
    const reply = await call(endpoint, fields);
    expect(json(reply)).toEqual({ code: 509, message: 'Cashout not found with this ID' });
    expect(reply.status).toBe(412);
    expect(sandbox.get(1001)?.status).toBe('PENDING');
    expect(sandbox.get(1002)?.status).toBe('PENDING');
  });
});

describe('create', () => {
  it('creates PENDING cashouts with string ids from 100000, ignoring other fields', async () => {
    const first = await call('create', { external_id: 'order-1', amount: 100, country: 'BR' });
    expect(first.status).toBe(200);
    expect(json(first)).toEqual({ cashout_id: '100000' });
    expect(json(await call('create', { external_id: 'order-2' }))).toEqual({ cashout_id: '100001' });
    expect(sandbox.get(100000)).toEqual({ cashoutId: 100000, externalId: 'order-1', status: 'PENDING' });
    expect(json(await call('status', { external_id: 'order-2' }))).toEqual({
      cashout_status: 0,
      cashout_status_description: 'Pending',
    });
  });

  it('creates ON_HOLD with on_hold: true', async () => {
    await call('create', { external_id: 'order-h', on_hold: true });
    expect(sandbox.findByExternalId('order-h')?.status).toBe('ON_HOLD');
  });

  it.each(['order-1', 'seed-pending-1001'])(
    'refuses a used external_id (%s) with 400/511',
    async (externalId) => {
      await call('create', { external_id: 'order-1' });
      const reply = await call('create', { external_id: externalId });
      expect(reply.status).toBe(400);
      expect(json(reply)).toEqual({ code: 511, message: 'External ID already used' });
      expect(sandbox.get(100001)).toBeUndefined();
    },
  );
});

describe('direct API', () => {
  it('creates with defaults, increasing ids and copies', () => {
    const first = sandbox.create();
    expect(first).toEqual({ cashoutId: 100000, externalId: 'ext-100000', status: 'PENDING' });
    expect(sandbox.create({ externalId: 'mine', status: 'ON_HOLD' })).toEqual({
      cashoutId: 100001,
      externalId: 'mine',
      status: 'ON_HOLD',
    });
    first.status = 'CANCELLED';
    const copy = sandbox.get(100000);
    if (copy) copy.status = 'COMPLETED';
    expect(sandbox.get(100000)?.status).toBe('PENDING');
    expect(sandbox.findByExternalId('mine')?.cashoutId).toBe(100001);
    expect(sandbox.findByExternalId('nobody')).toBeUndefined();
  });

  it('creates a REJECTED cashout with its rejection, default 808', () => {
    const given = sandbox.create({ status: 'REJECTED', rejection: { code: 811, reason: 'RISK_POLICY' } });
    expect(given.rejection).toEqual({ code: 811, reason: 'RISK_POLICY' });
    expect(sandbox.create({ status: 'REJECTED' }).rejection).toEqual({ code: 808, reason: 'ERROR_OTHER' });
  });

  it('refuses a used external id and a rejection on a non-rejected cashout', () => {
    expect(() => sandbox.create({ externalId: 'seed-pending-1001' })).toThrow(/already used/);
    expect(() => sandbox.create({ rejection: { code: 800, reason: 'X' } })).toThrow(/REJECTED/);
  });

  it('advances along D24 moves', async () => {
    const { cashoutId } = sandbox.create();
    expect(sandbox.advance(cashoutId, 'DELIVERED')).toMatchObject({
      status: 'DELIVERED',
      bankReferenceId: `BR-${cashoutId}`,
    });
    expect(json(await call('status', { cashout_id: cashoutId }))).toEqual({
      cashout_status: 4,
      cashout_status_description: 'Delivered',
      bank_reference_id: `BR-${cashoutId}`,
    });
    expect(sandbox.advance(cashoutId, 'COMPLETED').status).toBe('COMPLETED');
    expect(sandbox.advance(cashoutId, 'REJECTED').rejection).toEqual({ code: 808, reason: 'ERROR_OTHER' });
    expect(sandbox.advance(1006, 'REJECTED', { code: 826, reason: 'WITHDRAWAL_REVERSED' })).toMatchObject({
      status: 'REJECTED',
      rejection: { code: 826, reason: 'WITHDRAWAL_REVERSED' },
    });
  });

  it.each<[number, CashoutStatus]>([
    [1001, 'COMPLETED'],
    [1001, 'REJECTED'],
    [1004, 'DELIVERED'],
    [1006, 'DELIVERED'],
    [1007, 'COMPLETED'],
    [1007, 'DELIVERED'],
    [1008, 'COMPLETED'],
    [1009, 'DELIVERED'],
    [999999, 'DELIVERED'],
  ])('refuses to advance %i to %s', (cashoutId, to) => {
    const before = sandbox.get(cashoutId);
    expect(() => sandbox.advance(cashoutId, to as 'DELIVERED')).toThrow();
    expect(sandbox.get(cashoutId)).toEqual(before);
  });
});
