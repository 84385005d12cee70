import { startSandbox } from './index.js';

// `npm run sandbox`: the D24 simulator on its own, for manual calls with the README's credentials.
const port = Number(process.env.SANDBOX_PORT ?? 4024);
const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`SANDBOX_PORT must be a port number (0-65535), got "${process.env.SANDBOX_PORT}"`);
  process.exit(1);
}

const sandbox = await startSandbox({ port, host });
console.log(`D24 sandbox listening on ${sandbox.url} (login ${sandbox.credentials.login})`);

const stop = (): void => {
  void sandbox.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
