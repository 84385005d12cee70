import type { Server, ServerResponse } from 'node:http';

export interface DrainReport {
  /** Whether every in-flight request finished within the grace period. */
  completed: boolean;
  /** Requests still running when the grace period ran out (their connections were closed). */
  abandoned: number;
}

export interface RequestTracker {
  inFlight(): number;
  /**
   * Stops accepting connections, lets in-flight requests finish (each answered with `Connection: close`), closes
   * idle keep-alive connections, and after `graceMs` closes whatever is left.
   */
  drain(graceMs: number): Promise<DrainReport>;
}

/** Counts the server's in-flight requests so a shutdown can wait for them. */
export function trackRequests(server: Server): RequestTracker {
  const active = new Set<ServerResponse>();
  let draining = false;
  server.on('request', (_request, response: ServerResponse) => {
    active.add(response);
    if (draining) response.setHeader('connection', 'close');
    response.once('close', () => {
      active.delete(response);
      if (draining) server.closeIdleConnections();
    });
  });
  return {
    inFlight: () => active.size,
    async drain(graceMs) {
      draining = true;
      for (const response of active) if (!response.headersSent) response.setHeader('connection', 'close');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace-over'>((resolve) => {
        timer = setTimeout(() => resolve('grace-over'), graceMs);
      });
      const first = await Promise.race([closed, graceOver]);
      clearTimeout(timer);
      if (first !== 'grace-over') return { completed: true, abandoned: 0 };
      const abandoned = active.size;
      server.closeAllConnections();
      await closed;
      return { completed: abandoned === 0, abandoned };
    },
  };
}
