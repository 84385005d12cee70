import { fork } from 'node:child_process';
import path from 'node:path';
import { Pool } from 'undici';
import { D24Client } from '../src/d24/client.js';
import { floorCall, floorPoolOptions } from './floor-call.js';
import type { SandboxCommand, SandboxHello, SandboxReply } from './sandbox-process.js';

// `node dist-bench/client-cpu.cjs floor|client [CALLS] [CONCURRENCY]`: this process's CPU per D24 call, the floor's
// raw signed call or the D24Client's, against the sandbox in another process (built by `npm run bench`). No HTTP
// server in front, so the figure is the call alone; run under `valgrind --tool=callgrind` for instruction counts.
const [mode = 'client', callsArg = '20000', concurrencyArg = '50'] = process.argv.slice(2);
const calls = Number(callsArg);
const concurrency = Number(concurrencyArg);

// Bundled as CommonJS (scripts/bundle.mjs), which has no top-level await.
async function main(): Promise<void> {
  const sandbox = fork(path.join(__dirname, 'sandbox-process.cjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies = new Map<number, (reply: SandboxReply) => void>();
  let nextId = 1;
  const hello = await new Promise<SandboxHello>((resolve) =>
    sandbox.on('message', (message: SandboxHello | SandboxReply) => {
      if ('type' in message) resolve(message);
      else replies.get(message.id)?.(message);
    }),
  );
  const ask = (command: SandboxCommand) =>
    new Promise<SandboxReply>((resolve) => {
      const id = nextId++;
      replies.set(id, resolve);
      sandbox.send({ ...command, id });
    });

  const { login, pass, secretKey } = hello.credentials;
  type Call = (cashoutId: number, hold: boolean) => Promise<unknown>;
  let call: Call;
  let close: () => Promise<void>;
  if (mode === 'floor') {
    const pool = new Pool(hello.url, floorPoolOptions);
    call = async (cashoutId, hold) => {
      const { text } = await floorCall(pool, hello.credentials, cashoutId, hold ? 'ON_HOLD' : 'PENDING');
      if (JSON.parse(text).cashout_status !== (hold ? 5 : 0)) throw new Error('not changed');
    };
    close = () => pool.close();
  } else {
    const client = new D24Client({ baseUrl: hello.url, credentials: { login, pass, secretKey } });
    call = (cashoutId, hold) =>
      hold ? client.holdCashout({ cashoutId }) : client.releaseCashout({ cashoutId });
    close = () => client.close();
  }

  async function drive(total: number): Promise<void> {
    const ids = (await ask({ type: 'create', count: concurrency })).ids as number[];
    let left = total;
    await Promise.all(
      ids.map(async (id) => {
        for (let hold = true; left-- > 0; hold = !hold) await call(id, hold);
      }),
    );
  }

  await drive(Math.min(calls, 5_000)); // warm-up: the JIT and the pool
  const before = process.cpuUsage();
  const started = performance.now();
  await drive(calls);
  const used = process.cpuUsage(before);
  const wall = performance.now() - started;
  console.log(
    JSON.stringify({
      mode,
      calls,
      cpuUsPerCall: (used.user + used.system) / calls,
      userUsPerCall: used.user / calls,
      callsPerSecond: (calls / wall) * 1000,
    }),
  );
  await close();
  await ask({ type: 'close' });
}

void main();
