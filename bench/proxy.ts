import { createServer, type ServerResponse } from 'node:http';

// The node:http side both reference proxies share (bench/floor.ts, bench/client-proxy.ts): read the body by events,
// parse `{op, cashoutId}`, forward, answer JSON. Only `forward` differs, so their gap is the D24 call alone.
export type Op = 'hold' | 'release';
export interface Forwarded {
  status: number;
  body: string;
}

export function serveProxy(
  forward: (op: Op, cashoutId: number) => Promise<Forwarded>,
  close: () => Promise<void>,
) {
  const server = createServer((request, response) => {
    if (request.url === '/health') return reply(response, 200, '{"ok":true}');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      handle(Buffer.concat(chunks).toString('utf8'), forward).then(
        (answer) => reply(response, answer.status, answer.body),
        () => reply(response, 500, '{"error":"internal"}'),
      );
    });
  });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const stop = (): void => {
    server.close();
    void close().then(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function handle(
  text: string,
  forward: (op: Op, cashoutId: number) => Promise<Forwarded>,
): Promise<Forwarded> {
  let input: { op?: unknown; cashoutId?: unknown };
  try {
    input = JSON.parse(text);
  } catch {
    return { status: 400, body: '{"error":"malformed JSON"}' };
  }
  const { op, cashoutId } = input;
  if (typeof cashoutId !== 'number' || !Number.isSafeInteger(cashoutId) || cashoutId < 1) {
    return { status: 400, body: '{"error":"cashoutId"}' };
  }
  if (op !== 'hold' && op !== 'release') return { status: 400, body: '{"error":"op"}' };
  return forward(op, cashoutId);
}

function reply(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
