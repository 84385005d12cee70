import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { D24Client } from './d24/client.js';
import { startSandbox } from './sandbox/index.js';
import { createApp } from './server/app.js';
import { createLogger } from './server/logger.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config);
  const sandbox = config.d24.baseUrl ? null : await startSandbox();
  const d24 = new D24Client({
    baseUrl: config.d24.baseUrl ?? (sandbox?.url as string),
    credentials:
      config.d24.credentials ?? (sandbox?.credentials as NonNullable<typeof config.d24.credentials>),
    timeoutMs: config.d24.timeoutMs,
  });
  const app = createApp(config, { d24, logger });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(config.server.port, config.server.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host}:${port}/graphql`;
  if (sandbox) {
    logger.warn(
      { graphiql: url, sandbox: sandbox.url },
      `Listening at ${url} on the EMBEDDED D24 SANDBOX (no real payouts); every request is the local developer with all scopes`,
    );
  } else {
    logger.info(
      { graphql: url },
      `Listening at ${url} against D24 at ${new URL(config.d24.baseUrl as string).origin}`,
    );
  }
  const stop = async () => {
    server.close();
    server.closeIdleConnections();
    await d24.close();
    await sandbox?.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // A ConfigError names the bad variables, never their values; anything else is a start-up failure.
  console.error(error instanceof ConfigError ? error.message : `Start-up failed: ${(error as Error).name}`);
  process.exit(1);
});
