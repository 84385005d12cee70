import { startSandbox } from './index.js';

// `npm run sandbox`: the D24 simulator on its own, for manual calls with the README's credentials. It lives as D24
// does (a new cashout every SANDBOX_TICK_MS, moved along) and posts its notifications to SANDBOX_NOTIFY_URL.
const port = Number(process.env.SANDBOX_PORT ?? 4024);
const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
const tickMs = Number(process.env.SANDBOX_TICK_MS ?? 5000);
const notifyUrl = process.env.SANDBOX_NOTIFY_URL || undefined;
const problems: string[] = [];
if (!Number.isInteger(port) || port < 0 || port > 65_535)
  problems.push('SANDBOX_PORT must be a port number (0-65535)');
if (!Number.isInteger(tickMs) || tickMs < 0)
  problems.push('SANDBOX_TICK_MS must be a whole number of ms (0: off)');
if (notifyUrl && !URL.canParse(notifyUrl)) problems.push('SANDBOX_NOTIFY_URL must be an http(s) URL');
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}

const sandbox = await startSandbox({ port, host, ...(notifyUrl && { notifyUrl }) });
if (tickMs > 0) sandbox.startLife(tickMs);
console.log(`D24 sandbox listening on ${sandbox.url} (login ${sandbox.credentials.login})`);
console.log(
  notifyUrl
    ? `Notifications of its own moves go to ${notifyUrl}`
    : 'No SANDBOX_NOTIFY_URL: its own moves notify nobody',
);

const stop = (): void => {
  void sandbox.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
