import { once } from 'node:events';
import type { Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CashoutStatus } from '../src/d24/wire.js';
import { type Fault, type Sandbox, startSandbox } from '../src/sandbox/index.js';
import { seededRandom } from '../src/sandbox/life.js';
import { expectedResult, type Plan, stateLie } from './support/expectations.js';
import { FIELDS, type Field, OPERATIONS, TRANSITIONS, typedResult } from './support/operations.js';
import { startTestService, type TestService } from './support/service.js';

// Faults that stall (delay, hang, slow body, and the mixed runs) meet a short D24 limit so they end fast; the
// others a long one, so a loaded CI machine cannot turn a quick answer into a timeout.
const TIMEOUT_MS = 400;
const PATIENT_TIMEOUT_MS = 5_000;
const STALLING: readonly FaultName[] = ['delay', 'hang', 'slowBody', 'mixed'];
const CONCURRENCY = 200;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type FaultName =
  | 'delay'
  | 'hang'
  | 'reset'
  | 'http5xx'
  | 'malformed'
  | 'refused'
  | 'slowBody'
  | 'code'
  | 'mixed';

// A deterministic generator, so a failure replays (seeded per case): the sandbox's own.
const random = seededRandom;
const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;

// D24's documented codes, codes it may add, and numbers a broken D24 might send.
const CODES = [300, 302, 401, 402, 502, 509, 510, 511, 521, 524, 702, 600, 999, 1, 0, -5, 2 ** 31, 2 ** 53];

function faultFor(name: Exclude<FaultName, 'mixed' | 'refused'>, rnd: () => number): Fault {
  const apply = rnd() < 0.5;
  switch (name) {
    case 'delay':
      return { kind: 'delay', ms: TIMEOUT_MS + 400, apply };
    case 'hang':
      return { kind: 'hang', apply };
    case 'reset':
      return { kind: 'reset', apply };
    case 'http5xx':
      return { kind: 'http5xx', status: pick(rnd, [500, 502, 503, 504]), apply };
    case 'malformed':
      return { kind: 'malformed', apply };
    case 'slowBody':
      return { kind: 'slowBody', ms: TIMEOUT_MS * 3, apply };
    case 'code':
      return {
        kind: 'code',
        code: pick(rnd, CODES),
        httpStatus: pick(rnd, [200, 400, 401, 412, 500]),
        apply: false,
      };
  }
}

const OTHER_STATUSES: CashoutStatus[] = [
  'PENDING',
  'ON_HOLD',
  'DELIVERED',
  'COMPLETED',
  'REJECTED',
  'CANCELLED',
];

/** The status each request's fresh cashout starts in: the operation's `from`, or (mixed) anything. */
function initialStatus(field: Field, mixed: boolean, rnd: () => number): CashoutStatus {
  if (mixed) return pick(rnd, OTHER_STATUSES);
  return field === 'cashout' ? 'PENDING' : TRANSITIONS[field].from;
}

let service: TestService;
let fast: TestService;
let refusing: TestService;
/** The sandbox whose port is closed: its store still says what state its cashouts are in. */
let closed: Sandbox;
let client: Agent;
let unhandled = 0;
const countUnhandled = () => {
  unhandled++;
};
interface AnswerRecord {
  field: Field;
  plan: Plan;
  result: Record<string, unknown> & { __typename: string };
  sandbox: Sandbox;
}
const records: AnswerRecord[] = [];
/** Answers saying "nothing was sent": the sandbox's request log must never show their cashout. */
const notSent: AnswerRecord[] = [];
/** Answers only D24 could have given (a success, D24's own error): the sandbox must have seen their cashout. */
const answeredByD24: AnswerRecord[] = [];
/** Per sandbox, every cashout id a request to it named, read from its request log (the ground truth of "sent"). */
const reached = new Map<Sandbox, Set<number>>();
const timings: { fault: FaultName; field: Field; ms: number; types: Record<string, number> }[] = [];
let baseline: { heap: number; sockets: number };

/** Moves the sandbox's request log into `reached` (drained after every case, so its ring buffer never drops one). */
function readRequestLog(sandbox: Sandbox): Set<number> {
  const seen = reached.get(sandbox) ?? new Set<number>();
  reached.set(sandbox, seen);
  for (const { rawBody } of sandbox.requests) {
    const id = /"cashout_id":([0-9]+)/.exec(rawBody)?.[1];
    if (id) seen.add(Number(id));
  }
  sandbox.clearRequests();
  return seen;
}

const tcpSockets = () => process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
/** The service-side sockets of the test client's connections, tracked by events so settling needs no polling. */
const incoming = new Set<Socket>();
function trackIncoming(s: TestService): void {
  s.server.on('connection', (socket: Socket) => {
    incoming.add(socket);
    socket.once('close', () => incoming.delete(socket));
  });
}

async function settle(): Promise<{ heap: number; sockets: number }> {
  await client.close();
  client = new Agent({ connections: CONCURRENCY + 16, keepAliveTimeout: 10_000 });
  // The client's sockets are closed; wait until the service has seen each one close.
  await Promise.all([...incoming].map((socket) => once(socket, 'close')));
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { heap: process.memoryUsage().heapUsed, sockets: tcpSockets() };
}

async function call(target: TestService, field: Field, plan: Plan) {
  const variables =
    field === 'cashout'
      ? { cashoutId: String(plan.cashoutId) }
      : {
          input: {
            cashoutId: String(plan.cashoutId),
            ...(field === 'cancelCashout' && { externalId: plan.externalId }),
          },
        };
  const started = performance.now();
  const response = await request(`${target.url}/graphql`, {
    method: 'POST',
    dispatcher: client,
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: OPERATIONS[field], variables }),
  });
  const text = await response.body.text();
  const elapsedMs = performance.now() - started;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { ...typedResult(field, response.statusCode, body), elapsedMs };
}

/**
 * What the contract allows for this request besides the answer its plan prescribes, or null. A request whose D24
 * limit ran out (behind hung calls on the 64-connection pool, or while connecting) has a truthful answer of its own
 * whatever its fault: NOT_APPLIED if it never left the queue, UNKNOWN if it was written; after D24's 510, a look-up
 * that ran out leaves `currentStatus: null`. Each excuse needs the limit (or the connect share of it, half) to have
 * passed since the request was sent: a lower bound no machine speed can break, so an answer that gives up
 * without trying still fails. The request log and the state check (afterwards) then hold each one to the truth.
 */
function excuse(
  field: Field,
  result: Record<string, unknown> & { __typename: string },
  elapsedMs: number,
  limitMs: number,
): string | null {
  const outcome = result.__typename === 'D24UnavailableError' ? result.outcome : null;
  if (outcome === 'NOT_APPLIED' && elapsedMs >= limitMs / 2) return 'never sent (queued or connecting)';
  if (outcome === 'UNKNOWN' && elapsedMs >= limitMs) return 'written as its limit ran out';
  // D24 answered 510 (a planned code, or its real answer to a transition it refuses); the look-up then ran out.
  if (
    field !== 'cashout' &&
    result.__typename === 'InvalidStatusTransitionError' &&
    result.code === 510 &&
    result.currentStatus === null &&
    elapsedMs >= limitMs / 2
  ) {
    return '510 look-up ran out of time';
  }
  return null;
}

/** 200 concurrent requests, each on its own fresh cashout, each with its own fault. */
async function runCase(fault: FaultName, field: Field, seed: number): Promise<void> {
  const rnd = random(seed);
  const target = fault === 'refused' ? refusing : STALLING.includes(fault) ? fast : service;
  const limitMs = target === fast ? TIMEOUT_MS : PATIENT_TIMEOUT_MS;
  const sandbox = fault === 'refused' ? closed : target.sandbox;
  const plans: Plan[] = Array.from({ length: CONCURRENCY }, () => {
    const mixed = fault === 'mixed';
    const initial = initialStatus(field, mixed, rnd);
    const { cashoutId, externalId } = sandbox.create({ status: initial });
    let planned: Plan['fault'] = null;
    if (fault === 'refused') planned = 'refused';
    else if (!mixed) planned = faultFor(fault, rnd);
    else if (rnd() < 0.6) {
      planned = faultFor(
        pick(rnd, ['delay', 'hang', 'reset', 'http5xx', 'malformed', 'slowBody', 'code'] as const),
        rnd,
      );
    }
    if (planned !== null && planned !== 'refused') sandbox.faults.forCashout(cashoutId, planned, 1);
    return { cashoutId, externalId, initial, fault: planned };
  });
  const started = performance.now();
  const answers = await Promise.all(plans.map((plan) => call(target, field, plan)));
  const seen = readRequestLog(sandbox);
  const types: Record<string, number> = {};
  const problems: string[] = [];
  answers.forEach((answer, i) => {
    const plan = plans[i] as Plan;
    const describe = `${plan.initial} ${JSON.stringify(plan.fault)}`;
    if ('problem' in answer) {
      problems.push(`${describe}: ${answer.problem}`);
      return;
    }
    const { result, elapsedMs } = answer;
    const record = { field, plan, result, sandbox };
    records.push(record);
    const expected = expectedResult(field, plan);
    let kind = `${result.__typename}${typeof result.outcome === 'string' ? ` ${result.outcome}` : ''}`;
    let matches = true;
    try {
      expect(result).toMatchObject(expected);
    } catch {
      matches = false;
    }
    if (!matches) {
      const why = excuse(field, result, elapsedMs, limitMs);
      if (why === null) {
        problems.push(
          `${describe}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(result)} after ${elapsedMs.toFixed(0)} ms`,
        );
        return;
      }
      kind = why;
    }
    types[kind] = (types[kind] ?? 0) + 1;
    if (result.__typename === 'D24UnavailableError' && result.outcome === 'NOT_APPLIED') {
      notSent.push(record);
      if (seen.has(plan.cashoutId)) problems.push(`${describe}: NOT_APPLIED, but the sandbox received it`);
    } else if (result.__typename !== 'D24UnavailableError') {
      answeredByD24.push(record);
      if (!seen.has(plan.cashoutId)) problems.push(`${describe}: ${kind}, yet the sandbox never received it`);
    }
  });
  timings.push({ fault, field, ms: performance.now() - started, types });
  // Faults stay armed: a request the client gave up on may reach the sandbox only now, and must still meet its
  // fault (each was armed for one request on a fresh cashout, so none touches another case).
  expect(problems.slice(0, 5), `${problems.length} of ${CONCURRENCY} answers wrong`).toEqual([]);
}

beforeAll(async () => {
  process.on('unhandledRejection', countUnhandled);
  // 200 concurrent mutations from one principal per case: the rate limit has its own tests.
  const unlimited = { RATE_LIMIT_PER_MINUTE: '0' };
  service = await startTestService({ ...unlimited, D24_TIMEOUT_MS: String(PATIENT_TIMEOUT_MS) });
  fast = await startTestService({ ...unlimited, D24_TIMEOUT_MS: String(TIMEOUT_MS) });
  closed = await startSandbox({ seed: false, requestLogSize: 0 });
  await closed.close();
  refusing = await startTestService({
    D24_BASE_URL: closed.url,
    D24_LOGIN: closed.credentials.login,
    D24_PASS: closed.credentials.pass,
    D24_SECRET_KEY: closed.credentials.secretKey,
    D24_TIMEOUT_MS: String(PATIENT_TIMEOUT_MS),
    AUTH_DISABLED: 'true',
    ...unlimited,
  });
  for (const s of [service, fast, refusing]) trackIncoming(s);
  client = new Agent({ connections: CONCURRENCY + 16, keepAliveTimeout: 10_000 });
  // Warm up: every code path once, and the D24 pool grown to its size, before the baseline.
  for (const field of FIELDS) await runCase('mixed', field, 1);
  await runCase('code', 'holdCashout', 1);
  await runCase('refused', 'holdCashout', 1);
  baseline = await settle();
}, 60_000);

afterAll(async () => {
  process.off('unhandledRejection', countUnhandled);
  await client?.close();
  await refusing?.close();
  await fast?.close();
  await service?.close();
  if (timings.length > 0) {
    console.info(
      `fault matrix (${CONCURRENCY} concurrent requests per case; D24_TIMEOUT_MS ${TIMEOUT_MS} for ${STALLING.join(', ')}, else ${PATIENT_TIMEOUT_MS}):\n${timings
        .map(
          (t) =>
            `  ${t.fault.padEnd(9)} ${t.field.padEnd(14)} ${t.ms.toFixed(0).padStart(5)} ms  ${JSON.stringify(t.types)}`,
        )
        .join('\n')}`,
    );
  }
});

const FAULTS: FaultName[] = [
  'delay',
  'hang',
  'reset',
  'http5xx',
  'malformed',
  'refused',
  'slowBody',
  'code',
  'mixed',
];

describe.each(FAULTS)('fault %s', (fault) => {
  it.each(FIELDS)(
    `${CONCURRENCY} concurrent %s: each a typed result with the right outcome`,
    async (field) => {
      await runCase(fault, field, FAULTS.indexOf(fault) * 100 + FIELDS.indexOf(field) + 2);
    },
  );
});

describe('afterwards', () => {
  it('every answer told the truth about the cashout state in the sandbox', async () => {
    await settle(); // every connection closed: whatever was written has reached the sandbox by now
    for (const sandbox of reached.keys()) readRequestLog(sandbox);
    const sent = notSent.filter(({ plan, sandbox }) => reached.get(sandbox)?.has(plan.cashoutId));
    expect(
      sent.map(({ plan }) => `${plan.cashoutId} ${JSON.stringify(plan.fault)}`).slice(0, 5),
      'NOT_APPLIED, but the sandbox received it',
    ).toEqual([]);
    // The log check has teeth: requests D24 answered are in it, and NOT_APPLIED did occur (the refused cases).
    expect(answeredByD24.length).toBeGreaterThan(0);
    expect(notSent.length).toBeGreaterThan(0);
    const lies = records
      .map(({ field, plan, result, sandbox }) =>
        stateLie(field, plan, result, sandbox.get(plan.cashoutId)?.status),
      )
      .filter((lie) => lie !== null);
    expect(records.length).toBeGreaterThanOrEqual(FAULTS.length * FIELDS.length * CONCURRENCY);
    expect(lies.slice(0, 5), `${lies.length} lies`).toEqual([]);
    // The check has teeth: successes that changed something, and UNKNOWNs the sandbox did apply, both occurred.
    expect(records.some(({ result }) => result.changed === true)).toBe(true);
    expect(
      records.some(
        ({ plan, result, sandbox }) =>
          result.outcome === 'UNKNOWN' && sandbox.get(plan.cashoutId)?.status !== plan.initial,
      ),
    ).toBe(true);
  });

  it('no unhandled rejection; sockets and heap back to their baseline', async () => {
    const after = await settle();
    expect(unhandled).toBe(0);
    expect(incoming.size).toBe(0);
    // Each D24 pool keeps up to 64 idle connections (both ends live in this process): bounded, not leaked.
    expect(after.sockets).toBeLessThanOrEqual(baseline.sockets + 64);
    expect(after.heap - baseline.heap).toBeLessThan(30 * 1024 * 1024);
    console.info(
      `baseline: ${baseline.sockets} TCP sockets, heap ${(baseline.heap / 2 ** 20).toFixed(1)} MB; after: ${after.sockets} TCP sockets, heap ${(after.heap / 2 ** 20).toFixed(1)} MB`,
    );
  });
});
