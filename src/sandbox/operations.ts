import type { CashoutStatus, D24EndpointName, UpdatableStatus } from '../d24/wire.js';
import { CASHOUT_STATUSES, D24_CODES } from '../d24/wire.js';
import type { Answer } from './answers.js';
import {
  CASHOUT_NOT_FOUND,
  EXTERNAL_ID_USED,
  errorAnswer,
  INVALID_PARAMS,
  STATUS_NOT_SUPPORTED,
  statusAnswer,
} from './answers.js';
import type { CashoutStore } from './store.js';
import type { SandboxCashout } from './types.js';

/** A request that passed every check but the domain ones. */
export type Operation =
  | { kind: 'cancel'; cashoutId: number; externalId: string }
  | { kind: 'update'; cashoutId: number; status: UpdatableStatus }
  | { kind: 'status'; cashoutId?: number; externalId?: string }
  | { kind: 'create'; externalId: string; onHold: boolean };

type Body = Readonly<Record<string, unknown>>;

const KNOWN_STATUSES: ReadonlySet<string> = new Set(CASHOUT_STATUSES);

function isCashoutId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isExternalId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** Check an endpoint's fields (D24's docs type cashout_id as a number: "123" is refused). */
export function parseOperation(endpoint: D24EndpointName, body: Body): Operation | Answer {
  const { cashout_id: cashoutId, external_id: externalId } = body;
  switch (endpoint) {
    case 'cancel':
      if (!isCashoutId(cashoutId) || !isExternalId(externalId)) return INVALID_PARAMS;
      return { kind: 'cancel', cashoutId, externalId };
    case 'updateStatus': {
      const { status } = body;
      if (!isCashoutId(cashoutId) || typeof status !== 'string') return INVALID_PARAMS;
      if (status === 'ON_HOLD' || status === 'PENDING') return { kind: 'update', cashoutId, status };
      return KNOWN_STATUSES.has(status) ? STATUS_NOT_SUPPORTED : INVALID_PARAMS;
    }
    case 'status': {
      if (cashoutId === undefined && externalId === undefined) return INVALID_PARAMS;
      if (cashoutId !== undefined && !isCashoutId(cashoutId)) return INVALID_PARAMS;
      if (externalId !== undefined && !isExternalId(externalId)) return INVALID_PARAMS;
      const op: Operation = { kind: 'status' };
      if (cashoutId !== undefined) op.cashoutId = cashoutId;
      if (externalId !== undefined) op.externalId = externalId;
      return op;
    }
    case 'create': {
      const onHold = body.on_hold ?? false;
      if (!isExternalId(externalId) || typeof onHold !== 'boolean') return INVALID_PARAMS;
      return { kind: 'create', externalId, onHold };
    }
  }
}

/** The cashout a request names, for per-cashout faults. */
export function targetOf(store: CashoutStore, op: Operation): number | undefined {
  switch (op.kind) {
    case 'create':
      return undefined;
    case 'status':
      if (op.cashoutId !== undefined || op.externalId === undefined) return op.cashoutId;
      return store.lookupByExternalId(op.externalId)?.cashoutId;
    default:
      return op.cashoutId;
  }
}

function move(
  store: CashoutStore,
  cashout: Readonly<SandboxCashout>,
  to: CashoutStatus,
  commit: boolean,
): Answer {
  if (commit) store.setStatus(cashout.cashoutId, to);
  return statusAnswer({ ...cashout, status: to });
}

/** Run an operation against the store; with commit false, answer as if it ran but change nothing. */
export function execute(store: CashoutStore, op: Operation, commit: boolean): Answer {
  switch (op.kind) {
    case 'cancel': {
      const cashout = store.lookup(op.cashoutId);
      if (!cashout || cashout.externalId !== op.externalId) return CASHOUT_NOT_FOUND;
      if (cashout.status !== 'PENDING' && cashout.status !== 'ON_HOLD') {
        return errorAnswer(412, D24_CODES.INVALID_STATUS_TRANSITION);
      }
      return move(store, cashout, 'CANCELLED', commit);
    }
    case 'update': {
      const cashout = store.lookup(op.cashoutId);
      if (!cashout) return CASHOUT_NOT_FOUND;
      const from: CashoutStatus = op.status === 'ON_HOLD' ? 'PENDING' : 'ON_HOLD';
      if (cashout.status !== from) return errorAnswer(400, D24_CODES.INVALID_STATUS_TRANSITION);
      return move(store, cashout, op.status, commit);
    }
    case 'status': {
      const byId = op.cashoutId === undefined ? undefined : store.lookup(op.cashoutId);
      const byExternal = op.externalId === undefined ? undefined : store.lookupByExternalId(op.externalId);
      const cashout = op.cashoutId === undefined ? byExternal : byId;
      // Given both, they must name the same cashout.
      if (!cashout || (op.externalId !== undefined && cashout !== byExternal)) return CASHOUT_NOT_FOUND;
      return statusAnswer(cashout);
    }
    case 'create': {
      if (store.lookupByExternalId(op.externalId)) return EXTERNAL_ID_USED;
      const status: CashoutStatus = op.onHold ? 'ON_HOLD' : 'PENDING';
      const cashoutId = commit ? store.create({ externalId: op.externalId, status }).cashoutId : store.nextId;
      // D24's example answers the id as a string.
      return { status: 200, body: { cashout_id: String(cashoutId) } };
    }
  }
}
