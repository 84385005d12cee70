import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './server/logger.js';
import { startService } from './service.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config);
  const service = await startService(config, { logger });
  const graphql = `${service.url}/graphql`;
  if (service.sandbox) {
    logger.warn(
      { graphiql: graphql, sandbox: service.sandbox.url },
      `Listening at ${graphql} on the EMBEDDED D24 SANDBOX (no real payouts); every request is the local developer with all scopes`,
    );
  } else {
    logger.info(
      { graphql },
      `Listening at ${graphql} against D24 at ${new URL(config.d24.baseUrl as string).origin}`,
    );
  }
  const stop = async () => {
    await service.close();
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
