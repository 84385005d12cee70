// Over 200 lines: the sandbox's start, its seeded state and its test-facing controls are one object's parts.
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CashoutStatus } from '../d24/wire.js';
import { FaultBook } from './faults.js';
import { createHandler } from './handler.js';
import { CashoutLife, seededRandom } from './life.js';
import { DEFAULT_RETRY_DELAYS_MS, Notifier } from './notifier.js';
import { RequestLog } from './request-log.js';
import { Timers } from './respond.js';
import { CashoutStore, copyCashout } from './store.js';
import type {
  ReceivedRequest,
  Rejection,
  Sandbox,
  SandboxCashout,
  SandboxCredentials,
  SandboxFaults,
  SandboxNotifications,
  SandboxOptions,
} from './types.js';

/** The credentials the sandbox accepts unless told otherwise (documented in the README). */
export const SANDBOX_CREDENTIALS = {
  login: 'sandbox_login',
  pass: 'sandbox_pass',
  secretKey: 'sandbox_secret_key',
} as const;

// Longer than any client pool's idle timeout, so pooled sockets are never closed under a client.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

class RunningSandbox implements Sandbox {
  readonly url: string;
  readonly port: number;
  readonly faults: SandboxFaults;
  #closing: Promise<void> | undefined;

  constructor(
    readonly credentials: SandboxCredentials,
    private readonly server: Server,
    private readonly store: CashoutStore,
    private readonly log: RequestLog,
    private readonly timers: Timers,
    private readonly sockets: ReadonlySet<Socket>,
    private readonly connections: () => number,
    book: FaultBook,
    private readonly notifier: Notifier,
    private readonly life: CashoutLife,
    private readonly concurrency: { current: number; max: number },
  ) {
    const { address, port } = server.address() as AddressInfo;
    this.port = port;
    this.url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    this.faults = {
      next: (fault, count) => book.next(fault, count),
      forCashout: (cashoutId, fault, times) => book.forCashout(cashoutId, fault, times),
      clear: () => book.clear(),
    };
  }

  create(init?: { externalId?: string; status?: CashoutStatus; rejection?: Rejection }): SandboxCashout {
    return this.store.create(init);
  }

  get(cashoutId: number): SandboxCashout | undefined {
    const cashout = this.store.lookup(cashoutId);
    return cashout && copyCashout(cashout);
  }

  findByExternalId(externalId: string): SandboxCashout | undefined {
    const cashout = this.store.lookupByExternalId(externalId);
    return cashout && copyCashout(cashout);
  }

  advance(
    cashoutId: number,
    to: 'DELIVERED' | 'COMPLETED' | 'REJECTED',
    rejection?: Rejection,
  ): SandboxCashout {
    return advanceAndNotify(this.store, this.notifier, cashoutId, to, rejection);
  }

  get notifications(): SandboxNotifications {
    return this.notifier;
  }

  tick(options?: { create?: boolean }): SandboxCashout[] {
    return this.life.tick(options);
  }

  startLife(intervalMs: number): void {
    this.life.start(intervalMs);
  }

  stopLife(): void {
    this.life.stop();
  }

  get requests(): readonly ReceivedRequest[] {
    return this.log.toArray();
  }

  clearRequests(): void {
    this.log.clear();
  }

  connectionCount(): number {
    return this.connections();
  }

  requestConcurrency(): { current: number; max: number } {
    return { ...this.concurrency };
  }

  resetRequestConcurrency(): void {
    this.concurrency.max = this.concurrency.current;
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.life.stop();
      this.timers.clear();
      const stopped = new Promise<void>((done) => this.server.close(() => done()));
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
      void Promise.all([stopped, this.notifier.close()]).then(() => resolve());
    });
    return this.#closing;
  }
}

/** D24's own move of a cashout, and its notification: one home for `advance()` and the sandbox's life. */
function advanceAndNotify(
  store: CashoutStore,
  notifier: Notifier,
  cashoutId: number,
  to: 'DELIVERED' | 'COMPLETED' | 'REJECTED',
  rejection?: Rejection,
): SandboxCashout {
  const cashout = store.advance(cashoutId, to, rejection);
  notifier.notify(cashout);
  return cashout;
}

/** Start a D24 Cashouts API v3 simulator on loopback (see Sandbox). */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const credentials: SandboxCredentials = Object.freeze({ ...(options.credentials ?? SANDBOX_CREDENTIALS) });
  const store = new CashoutStore(options.seed ?? true);
  const log = new RequestLog(options.requestLogSize ?? 1000);
  const faults = new FaultBook();
  const timers = new Timers();
  const sockets = new Set<Socket>();
  let connections = 0;
  const random = seededRandom(options.randomSeed ?? 24);
  const notifier = new Notifier({
    url: options.notifyUrl ?? null,
    secretKey: credentials.secretKey,
    retryDelaysMs: options.notificationRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    random,
    logSize: options.requestLogSize ?? 1000,
  });
  const life = new CashoutLife({
    active: () => store.active(),
    retire: (cashoutId) => store.retire(cashoutId),
    create: () => store.create(),
    move: (cashoutId, to, rejection) => advanceAndNotify(store, notifier, cashoutId, to, rejection),
    random,
  });
  const concurrency = { current: 0, max: 0 };

  const server = createServer(createHandler({ store, faults, log, timers, credentials }));
  // Requests being answered at once (a hanging one counts until its socket closes).
  server.on('request', (_req, res) => {
    concurrency.current++;
    concurrency.max = Math.max(concurrency.max, concurrency.current);
    res.once('close', () => concurrency.current--);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new RunningSandbox(
    credentials,
    server,
    store,
    log,
    timers,
    sockets,
    () => connections,
    faults,
    notifier,
    life,
    concurrency,
  );
}
