import { createServer, request, type Server } from 'node:http';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';
import { useBodyLimit } from '../src/server/http/body-limit.js';

// useBodyLimit replaces Yoga's own limit (maxRequestBodySize: false): same answers, without a stream per request.
let server: Server;
let url: string;
beforeAll(async () => {
  const yoga = createYoga({
    schema,
    maxRequestBodySize: false,
    plugins: [useBodyLimit(1000)],
    logging: false,
  });
  server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function post(chunks: string[], headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const query = (padding: number) => JSON.stringify({ query: `{ __typename }${' '.repeat(padding)}` });

describe('useBodyLimit', () => {
  it('answers a body within the limit, with or without Content-Length', async () => {
    const body = query(10);
    expect(await post([body], { 'content-length': String(Buffer.byteLength(body)) })).toMatchObject({
      status: 200,
    });
    expect(await post([body.slice(0, 5), body.slice(5)], {})).toMatchObject({ status: 200 });
  });

  it('refuses a declared Content-Length over the limit with 413 before reading the body', async () => {
    const body = query(2000);
    const answer = await post([body], { 'content-length': String(Buffer.byteLength(body)) });
    expect(answer.status).toBe(413);
    expect(answer.body).toContain('Request body too large');
  });

  it('refuses a chunked body that grows over the limit with 413', async () => {
    const body = query(2000);
    const answer = await post([body.slice(0, 600), body.slice(600, 1200), body.slice(1200)], {});
    expect(answer.status).toBe(413);
    expect(answer.body).toContain('Request body too large');
  });
});
