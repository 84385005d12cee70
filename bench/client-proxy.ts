import { D24Client } from '../src/d24/client.js';
import { CashoutError } from '../src/d24/errors.js';
import { serveProxy } from './proxy.js';

// The second reference: the floor's node:http side (bench/proxy.ts) calling this project's D24Client (its pool,
// signing, time limit, answer cap and typed mapping). Its gap to bench/floor.ts is the client's own cost.
const d24 = new D24Client({
  baseUrl: process.env.D24_BASE_URL as string,
  credentials: {
    login: process.env.D24_LOGIN as string,
    pass: process.env.D24_PASS as string,
    secretKey: process.env.D24_SECRET_KEY as string,
  },
  timeoutMs: 15_000,
});

serveProxy(
  async (op, cashoutId) => {
    try {
      const result =
        op === 'hold' ? await d24.holdCashout({ cashoutId }) : await d24.releaseCashout({ cashoutId });
      return { status: 200, body: JSON.stringify(result) };
    } catch (error) {
      const name = error instanceof CashoutError ? error.name : 'InternalError';
      return { status: 502, body: JSON.stringify({ error: name }) };
    }
  },
  () => d24.close(),
);
