import { createHmac } from 'node:crypto';
import type { Pool } from 'undici';

// The floor's one D24 call (bench/floor.ts, and bench/client-cpu.ts's floor mode): the body serialized once,
// signed with createHmac, sent on a plain undici Pool, read with body.text(). None of the project's code.
export const floorPoolOptions = { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 };

export async function floorCall(
  pool: Pool,
  credentials: { login: string; pass: string; secretKey: string },
  cashoutId: number,
  status: 'ON_HOLD' | 'PENDING',
): Promise<{ statusCode: number; text: string }> {
  const { login, pass, secretKey } = credentials;
  const body = JSON.stringify({ login, pass, cashout_id: cashoutId, status });
  const answer = await pool.request({
    path: '/v3/cashout/status',
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      'payload-signature': createHmac('sha256', secretKey).update(body).digest('hex'),
    },
    body,
  });
  return { statusCode: answer.statusCode, text: await answer.body.text() };
}
