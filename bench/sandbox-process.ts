import { startSandbox } from '../src/sandbox/index.js';

// The D24 sandbox in its own process, driven by the benchmark over IPC (`child_process.fork`).
export type SandboxCommand = { type: 'create'; count: number } | { type: 'connections' } | { type: 'close' };
export type SandboxRequest = SandboxCommand & { id: number };
export type SandboxReply = { id: number; ids?: number[]; connections?: number };
export interface SandboxHello {
  type: 'ready';
  url: string;
  credentials: { login: string; pass: string; secretKey: string };
}

const send = (message: SandboxReply | SandboxHello): void => {
  process.send?.(message);
};

// Bundled as CommonJS (scripts/bundle.mjs), which has no top-level await.
void startSandbox({ port: 0, host: '127.0.0.1', seed: false, requestLogSize: 0 }).then((sandbox) => {
  process.on('message', (message: SandboxRequest) => {
    if (message.type === 'create') {
      const ids = Array.from(
        { length: message.count },
        () => sandbox.create({ status: 'PENDING' }).cashoutId,
      );
      send({ id: message.id, ids });
    } else if (message.type === 'connections') {
      send({ id: message.id, connections: sandbox.connectionCount() });
    } else {
      void sandbox.close().then(() => {
        send({ id: message.id });
        process.exit(0);
      });
    }
  });
  process.on('disconnect', () => void sandbox.close().then(() => process.exit(0)));
  send({ type: 'ready', url: sandbox.url, credentials: { ...sandbox.credentials } });
});
