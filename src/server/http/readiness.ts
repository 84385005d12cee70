import { connect } from 'node:net';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';

export interface ReadinessOptions {
  /** D24's origin (or the embedded sandbox's): what is probed. */
  origin: string;
  /** Time between probes; /ready only reads the last result. */
  intervalMs: number;
  /** How long a probe may take to connect. */
  probeTimeoutMs?: number;
  logger: Logger;
  /** More checks: each returns why the service is not ready (e.g. `ledger-unavailable`), or null. */
  checks?: (() => string | null)[];
}

export interface Readiness {
  /** Probes at once, then every `intervalMs` until `stop()`. */
  start(): void;
  /** From now on /ready answers 503 (the service is shutting down). */
  drain(): void;
  stop(): void;
  /** Empty when ready; otherwise why not (`draining`, `d24-unreachable`, `d24-not-probed-yet`, `ledger-unavailable`). */
  reasons(): string[];
  /** Serves `/ready`: 200 when ready, otherwise 503, with the reasons. */
  plugin: Plugin;
}

/**
 * Not Yoga's `useReadinessCheck`: it answers any URL that merely ends in `/ready` (`/graphql?next=/ready`, `/x/ready`)
 * and tests a URLPattern on every other request; this serves exactly `/ready`, with its reasons as the body.
 *
 * Readiness: configuration loaded (it is, or this would not exist), D24's origin reachable by TCP, not draining.
 * The probe is a TCP connect to D24's host and port, closed at once: no request, no credentials, no load on D24.
 */
export function createReadiness(options: ReadinessOptions): Readiness {
  const url = new URL(options.origin);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const probeTimeoutMs = options.probeTimeoutMs ?? Math.min(5_000, options.intervalMs);
  let reachable: boolean | null = null;
  let draining = false;
  let timer: NodeJS.Timeout | undefined;
  let probing = false;

  const probe = async () => {
    if (probing) return;
    probing = true;
    const ok = await tcpConnect(host, port, probeTimeoutMs);
    probing = false;
    if (ok !== reachable) {
      if (ok) options.logger.info({ d24: url.origin }, 'D24 is reachable');
      else options.logger.warn({ d24: url.origin }, 'D24 is not reachable: /ready answers 503');
    }
    reachable = ok;
  };

  const reasons = () => {
    const why: string[] = [];
    if (draining) why.push('draining');
    if (reachable === null) why.push('d24-not-probed-yet');
    else if (!reachable) why.push('d24-unreachable');
    for (const check of options.checks ?? []) {
      const reason = check();
      if (reason) why.push(reason);
    }
    return why;
  };

  return {
    start() {
      if (timer) return;
      void probe();
      timer = setInterval(() => void probe(), options.intervalMs);
      timer.unref();
    },
    drain() {
      draining = true;
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    reasons,
    plugin: {
      onRequest({ url: requestUrl, endResponse, fetchAPI }) {
        if (requestUrl.pathname !== '/ready') return;
        const why = reasons();
        endResponse(
          new fetchAPI.Response(
            JSON.stringify(why.length ? { status: 'not ready', reasons: why } : { status: 'ready' }),
            {
              status: why.length ? 503 : 200,
              headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
            },
          ),
        );
      },
    },
  };
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
