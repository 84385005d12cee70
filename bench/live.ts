// `npm run bench:live -- [--replicas 1|2] [--subscribers 990] [--rate 100] [--seconds 20]`
// Subscribers over SSE on one replica (or split over two sharing PostgreSQL and Redis), D24 moving cashouts and
// notifying the (first) replica at `rate` a second; reports notification-to-every-subscriber latency, RSS per
// 1,000 idle subscribers and the webhook's ingestion rate. Needs PostgreSQL and Redis (TEST_DATABASE_URL,
// TEST_REDIS_URL, defaulting to the local servers).
import { parseArgs } from 'node:util';
import { Agent, fetch } from 'undici';
import { controlString } from '../src/notifications/control.js';
import { startSandbox } from '../src/sandbox/index.js';
import { SERVER_LIMITS } from '../src/server/security/armor.js';
import { sseMessages } from '../test/support/live.js';
import { createTestSchema } from '../test/support/postgres.js';
import { dropKeys, testRedisUrl, uniquePrefix } from '../test/support/redis.js';
import { type Replica, replicaEnv, startReplica } from '../test/support/replica.js';
import { hs256Token } from '../test/support/tokens.js';
import { memoryMb } from './proc.js';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1' },
    subscribers: { type: 'string', default: '990' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
  },
});
const replicaCount = Number(values.replicas);
const subscriberCount = Number(values.subscribers);
const rate = Number(values.rate);
const seconds = Number(values.seconds);
// An SSE subscriber holds one connection, and a replica accepts SERVER_LIMITS.maxConnections at once (the probes,
// the webhook's posts and the benchmark's own requests need a few more): more would be reset, not measured.
const perReplica = Math.ceil(subscriberCount / replicaCount);
const maxPerReplica = SERVER_LIMITS.maxConnections - 10;
if (perReplica > maxPerReplica) {
  throw new Error(
    `${perReplica} subscribers per replica: a replica accepts ${SERVER_LIMITS.maxConnections} connections; use at most ${maxPerReplica} or more replicas`,
  );
}

const redisUrl = await testRedisUrl();
if (!redisUrl) throw new Error('bench:live needs Redis');
const schema = await createTestSchema('bench_live');
const prefix = uniquePrefix();
const sandbox = await startSandbox({ seed: false });
const env = {
  ...replicaEnv(sandbox, { databaseUrl: schema.url, redisUrl, prefix }),
  NODE_ENV: 'production',
  RECONCILE_INTERVAL_MS: '0',
  SUBSCRIPTIONS_PER_PRINCIPAL: String(subscriberCount),
};
const replicas: Replica[] = [];
for (let i = 0; i < replicaCount; i++) replicas.push(await startReplica(`R${i}`, env));
const authorization = `Bearer ${await hs256Token({ claims: { sub: 'bench', scope: 'cashouts:read' }, expiresIn: 3600 })}`;
const dispatcher = new Agent({ connections: subscriberCount + 100, pipelining: 0 });
const rssBefore = replicas.map((r) => memoryMb(r.child.pid as number).current);

/** When each cashout's event reached how many subscribers, and when the last one got it. */
const arrivals = new Map<string, { count: number; last: number }>();
const QUERY = 'subscription { cashoutEvents { __typename ... on CashoutEvent { id cashoutId action } } }';
const streams: AbortController[] = [];

async function subscribe(replica: Replica): Promise<void> {
  const abort = new AbortController();
  streams.push(abort);
  const response = await fetch(`${replica.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization },
    body: JSON.stringify({ query: QUERY }),
    signal: abort.signal,
    dispatcher,
  });
  if (response.status !== 200) throw new Error(`subscribe: HTTP ${response.status}`);
  void (async () => {
    try {
      for await (const message of sseMessages(response.body as unknown as AsyncIterable<Uint8Array>)) {
        const at = message.indexOf('"cashoutId":"');
        if (at < 0) continue;
        const id = message.slice(at + 13, message.indexOf('"', at + 13));
        const seen = arrivals.get(id) ?? { count: 0, last: 0 };
        seen.count++;
        seen.last = performance.now();
        arrivals.set(id, seen);
      }
    } catch {}
  })();
}

for (let i = 0; i < subscriberCount; i += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, subscriberCount - i) }, (_, j) =>
      subscribe(replicas[(i + j) % replicas.length] as Replica),
    ),
  );
}
await new Promise((resolve) => setTimeout(resolve, 2_000));
const rssIdle = replicas.map((r) => memoryMb(r.child.pid as number).current);
const idlePerThousand =
  (rssIdle.reduce((a, b) => a + b, 0) - rssBefore.reduce((a, b) => a + b, 0)) / (subscriberCount / 1000);

// D24 moves a fresh cashout and notifies the first replica, `rate` times a second.
sandbox.notifications.url = `${(replicas[0] as Replica).url}/d24/notifications`;
const sentAt = new Map<string, number>();
const total = rate * seconds;
const started = performance.now();
for (let n = 0; n < total; n++) {
  const wait = started + (n * 1000) / rate - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const { cashoutId } = sandbox.create({});
  sentAt.set(String(cashoutId), performance.now());
  sandbox.advance(cashoutId, 'DELIVERED');
}
const deadline = performance.now() + 30_000;
const complete = () => [...sentAt.keys()].every((id) => (arrivals.get(id)?.count ?? 0) >= subscriberCount);
while (!complete() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
const latencies = [...sentAt]
  .filter(([id]) => (arrivals.get(id)?.count ?? 0) >= subscriberCount)
  .map(([id, at]) => (arrivals.get(id)?.last as number) - at)
  .sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;

for (const stream of streams) stream.abort();

// Ingestion: signed notifications posted as fast as 32 concurrent senders can, for 5 s (each recorded, then looked up).
const ingestSeconds = 5;
const cashouts = Array.from({ length: 2_000 }, () => sandbox.create({}));
sandbox.notifications.url = null;
let accepted = 0;
let refused = 0;
const ingestEnd = performance.now() + ingestSeconds * 1000;
await Promise.all(
  Array.from({ length: 32 }, async (_, worker) => {
    for (let n = worker; performance.now() < ingestEnd; n += 32) {
      const cashout = cashouts[n % cashouts.length] as { cashoutId: number; externalId: string };
      const body = new URLSearchParams({
        date: new Date().toISOString(),
        bank_reference_id: '',
        comments: '',
        external_id: cashout.externalId,
        control: controlString(cashout.externalId, sandbox.credentials.secretKey),
        cashout_id: String(cashout.cashoutId),
        status_reason: '',
      });
      const response = await fetch(`${(replicas[0] as Replica).url}/d24/notifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      await response.arrayBuffer();
      if (response.status === 200) accepted++;
      else refused++;
    }
  }),
);

const report = {
  replicas: replicaCount,
  subscribers: subscriberCount,
  notificationsPerSecond: rate,
  notifications: total,
  deliveredToEverySubscriber: latencies.length,
  latencyMs: { p50: Math.round(pct(50)), p99: Math.round(pct(99)), max: Math.round(latencies.at(-1) ?? NaN) },
  rssMb: { before: rssBefore.map(Math.round), idle: rssIdle.map(Math.round) },
  rssPerThousandIdleSubscribersMb: Math.round(idlePerThousand),
  ingestion: { perSecond: Math.round(accepted / ingestSeconds), accepted, refused },
};
console.log(JSON.stringify(report, null, 2));
await Promise.all(replicas.map((replica) => replica.stop()));
await dispatcher.close();
await sandbox.close();
await schema.drop();
await dropKeys(redisUrl, prefix);
process.exit(0);
