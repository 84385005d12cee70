import { Pool } from 'undici';
import { floorCall, floorPoolOptions } from './floor-call.js';
import { serveProxy } from './proxy.js';

// The true floor: a minimal signed proxy that uses none of the project's code. One undici Pool, the body
// serialized once and signed with createHmac, D24's JSON answered as it came. No time limit, no size cap, no
// typed mapping: whatever the D24 client costs beyond this row is what its guarantees cost.
const env = (name: string) => process.env[name] as string;
const credentials = { login: env('D24_LOGIN'), pass: env('D24_PASS'), secretKey: env('D24_SECRET_KEY') };
const pool = new Pool(env('D24_BASE_URL'), floorPoolOptions);
const REQUESTED = { hold: ['ON_HOLD', 5], release: ['PENDING', 0] } as const;

serveProxy(
  async (op, cashoutId) => {
    const [status, code] = REQUESTED[op];
    const { statusCode, text } = await floorCall(pool, credentials, cashoutId, status);
    const changed = statusCode === 200 && JSON.parse(text).cashout_status === code;
    return { status: changed ? 200 : 502, body: `{"changed":${changed},"cashout":${text}}` };
  },
  () => pool.close(),
);
