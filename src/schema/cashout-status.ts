import { CASHOUT_STATUSES, type CashoutStatus } from '../d24/wire.js';
import { builder } from './builder.js';

const DESCRIPTIONS: Record<CashoutStatus, string> = {
  PENDING: 'Code 0: created, waiting to be sent to the bank. Can be held or cancelled.',
  COMPLETED: 'Code 1: paid. Can still become REJECTED if the bank returns it.',
  CANCELLED: 'Code 2: cancelled by the merchant. Final.',
  REJECTED: 'Code 3: rejected by the bank; see `rejection`. Final.',
  DELIVERED: 'Code 4: sent to the bank; can no longer be held or cancelled.',
  ON_HOLD: 'Code 5: held by the merchant (e.g. during KYC); not processed until released. Can be cancelled.',
};

export const CashoutStatusEnum = builder.enumType('CashoutStatus', {
  description: "A cashout's status at D24 (D24's numeric codes 0 to 5).",
  values: Object.fromEntries(
    CASHOUT_STATUSES.map((status) => [status, { value: status, description: DESCRIPTIONS[status] }]),
  ) as Record<CashoutStatus, { value: CashoutStatus; description: string }>,
});
