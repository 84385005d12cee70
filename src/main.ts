import { ConfigError, loadConfig } from './config.js';
import { createLoggers } from './server/observability/logger.js';
import { startService } from './service.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const loggers = createLoggers(config);
  const { logger } = loggers;
  // On the embedded sandbox, D24's own life: a new cashout every 4 s, moved along and notified.
  const service = await startService(config, { ...loggers, sandboxTickMs: 4_000 });
  const graphql = `${service.url}/graphql`;
  if (service.sandbox) {
    // auth.ts says loudly, at start-up, when every request is the local developer with all scopes.
    logger.warn(
      { url: service.url, graphiql: graphql, sandbox: service.sandbox.url },
      `Listening at ${graphql} on the EMBEDDED D24 SANDBOX (no real payouts)`,
    );
  } else {
    logger.info(
      { url: service.url, graphql },
      `Listening at ${graphql} against D24 at ${new URL(config.d24.baseUrl as string).origin}`,
    );
  }
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    // A second signal changes nothing: the grace period already bounds the wait.
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'Shutting down: /ready is 503, draining');
    const report = await service.close();
    (report.completed ? logger.info : logger.warn).call(logger, report, 'Stopped');
    loggers.flush();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  // A ConfigError names the bad variables, never their values; anything else is a start-up failure.
  console.error(error instanceof ConfigError ? error.message : `Start-up failed: ${(error as Error).name}`);
  process.exit(1);
});
