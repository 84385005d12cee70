import { createHmac } from 'node:crypto';
import { Pool } from 'undici';
import { serveProxy } from './proxy.js';

// The true floor: a minimal signed proxy that uses none of the project's code. One undici Pool, the body
// serialized once and signed with createHmac, D24's JSON answered as it came. No time limit, no size cap, no
// typed mapping: whatever the D24 client costs beyond this row is what its guarantees cost.
const env = (name: string) => process.env[name] as string;
const [LOGIN, PASS, KEY] = [env('D24_LOGIN'), env('D24_PASS'), env('D24_SECRET_KEY')];
const pool = new Pool(env('D24_BASE_URL'), { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
const REQUESTED = { hold: ['ON_HOLD', 5], release: ['PENDING', 0] } as const;

serveProxy(
  async (op, cashoutId) => {
    const [status, code] = REQUESTED[op];
    const body = JSON.stringify({ login: LOGIN, pass: PASS, cashout_id: cashoutId, status });
    const answer = await pool.request({
      path: '/v3/cashout/status',
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        'payload-signature': createHmac('sha256', KEY).update(body).digest('hex'),
      },
      body,
    });
    const text = await answer.body.text();
    const changed = answer.statusCode === 200 && JSON.parse(text).cashout_status === code;
    return { status: changed ? 200 : 502, body: `{"changed":${changed},"cashout":${text}}` };
  },
  () => pool.close(),
);
