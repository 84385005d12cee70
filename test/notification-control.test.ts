import { describe, expect, it } from 'vitest';
import {
  controlString,
  InvalidControlError,
  notificationBody,
  verifyControl,
} from '../src/notifications/control.js';

// docs/d24.md's test vectors (computed with Python's hmac, independently of this code).
const VECTORS = [
  {
    key: 'sandbox_secret_key',
    externalId: 'seed-delivered-1006',
    control: '6AE5399EE3A3E4C8257D0814AAAB5D4036EC30AACF2FF563FA5462B7E14B3F46',
  },
  {
    key: 'cashout_secret_key',
    externalId: 'cashoutID2134',
    control: 'D31501A7F1CECA8D6E2D0A0C76AE500322A55FBB12EFD25485A0842143B30690',
  },
];

describe('notification control string', () => {
  it.each(VECTORS)('matches docs/d24.md for $externalId', ({ key, externalId, control }) => {
    expect(controlString(externalId, key)).toBe(control);
    expect(() => verifyControl({ externalId, control }, key)).not.toThrow();
    // The same digest in lower case is the same string, differently spelled.
    expect(() => verifyControl({ externalId, control: control.toLowerCase() }, key)).not.toThrow();
  });

  it('refuses a control made with another key, for another id, or of the wrong shape', () => {
    const [first, second] = VECTORS as [(typeof VECTORS)[0], (typeof VECTORS)[0]];
    const cases: (string | undefined | null)[] = [
      second.control, // right shape, another key and id
      controlString(first.externalId, 'another_key'),
      controlString(`${first.externalId} `, first.key),
      `${first.control.slice(0, 63)}0`,
      first.control.slice(0, 63),
      `${first.control}00`,
      `${first.control.slice(0, 62)}ZZ`,
      '',
      undefined,
      null,
    ];
    for (const control of cases) {
      expect(() => verifyControl({ externalId: first.externalId, control }, first.key)).toThrow(
        InvalidControlError,
      );
    }
  });

  it('says nothing of the control string or the key when it refuses', () => {
    const [{ key, externalId, control }] = VECTORS as [(typeof VECTORS)[0]];
    const forged = controlString(externalId, 'attacker');
    const error = (() => {
      try {
        verifyControl({ externalId, control: forged }, key);
      } catch (caught) {
        return caught as InvalidControlError;
      }
      throw new Error('accepted a forged control');
    })();
    expect(error.name).toBe('InvalidControlError');
    expect(error.code).toBe('INVALID_CONTROL');
    const text = `${error.message} ${error.stack} ${JSON.stringify(error)}`;
    for (const secret of [forged, control, key]) expect(text).not.toContain(secret);
  });

  it('makes complete, valid notification bodies for tests', () => {
    const body = new URLSearchParams(
      notificationBody({ external_id: 'seed-delivered-1006', cashout_id: 1006 }, 'sandbox_secret_key'),
    );
    expect([...body.keys()].sort()).toEqual(
      [
        'bank_reference_id',
        'cashout_id',
        'comments',
        'control',
        'date',
        'external_id',
        'status_reason',
      ].sort(),
    );
    expect(body.get('control')).toBe(VECTORS[0]?.control);
    expect(body.get('cashout_id')).toBe('1006');
    expect(body.get('date')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });
});
