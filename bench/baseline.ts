import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { D24Client } from '../src/d24/client.js';
import { CashoutError } from '../src/d24/errors.js';

// The floor any wrapper pays: plain node:http, parse the JSON request, sign and forward with the same D24 client
// (same undici pool, same signing, same answer mapping), answer its JSON. No auth, no logs, no GraphQL.
const port = Number(process.env.PORT ?? 0);
const d24 = new D24Client({
  baseUrl: process.env.D24_BASE_URL as string,
  credentials: {
    login: process.env.D24_LOGIN as string,
    pass: process.env.D24_PASS as string,
    secretKey: process.env.D24_SECRET_KEY as string,
  },
  timeoutMs: 15_000,
});

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.url === '/health') return reply(response, 200, '{"ok":true}');
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let input: { op?: unknown; cashoutId?: unknown };
  try {
    input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return reply(response, 400, '{"error":"malformed JSON"}');
  }
  const cashoutId = Number(input.cashoutId);
  if (!Number.isSafeInteger(cashoutId) || cashoutId < 1) return reply(response, 400, '{"error":"cashoutId"}');
  try {
    const result =
      input.op === 'hold'
        ? await d24.holdCashout({ cashoutId })
        : input.op === 'release'
          ? await d24.releaseCashout({ cashoutId })
          : null;
    if (!result) return reply(response, 400, '{"error":"op"}');
    reply(response, 200, JSON.stringify(result));
  } catch (error) {
    const name = error instanceof CashoutError ? error.name : 'InternalError';
    reply(response, 502, JSON.stringify({ error: name }));
  }
}

function reply(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

const server = createServer((request, response) => {
  handle(request, response).catch(() => reply(response, 500, '{"error":"internal"}'));
});
server.listen(port, '127.0.0.1');
const stop = (): void => {
  server.close();
  void d24.close().then(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
