import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { D24Client } from './d24/client.js';
import { type Sandbox, startSandbox } from './sandbox/index.js';
import { type App, createApp } from './server/app.js';

/** A running service: what `npm start` runs, and what tests start on port 0. */
export interface Service {
  /** e.g. `http://127.0.0.1:4000` */
  url: string;
  app: App;
  server: Server;
  d24: D24Client;
  /** The embedded sandbox, when no D24_BASE_URL was configured. */
  sandbox: Sandbox | null;
  close(): Promise<void>;
}

/** Starts the embedded sandbox if D24_BASE_URL is unset, then the D24 client and the HTTP server. */
export async function startService(config: Readonly<Config>, deps: { logger: Logger }): Promise<Service> {
  const sandbox = config.d24.baseUrl ? null : await startSandbox();
  const d24 = new D24Client({
    baseUrl: config.d24.baseUrl ?? (sandbox as Sandbox).url,
    credentials: config.d24.credentials ?? (sandbox as Sandbox).credentials,
    timeoutMs: config.d24.timeoutMs,
  });
  const app = createApp(config, { d24, logger: deps.logger });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(config.server.port, config.server.host, resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${config.server.host}:${port}`,
    app,
    server,
    d24,
    sandbox,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await d24.close();
      await sandbox?.close();
    },
  };
}
