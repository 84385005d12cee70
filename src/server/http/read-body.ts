import type { IncomingMessage } from 'node:http';

const EMPTY = Buffer.alloc(0);

/**
 * Reads a request body, or stops at `limit` bytes (`complete` false, the rest left unread: answer with
 * `connection: close`). A Content-Length over the limit is refused before reading anything.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  done: (body: Buffer, complete: boolean) => void,
): void {
  if (Number(req.headers['content-length']) > limit) {
    done(EMPTY, false);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > limit) {
      req.off('data', onData);
      req.off('end', onEnd);
      req.pause();
      done(Buffer.concat(chunks), false);
    } else {
      chunks.push(chunk);
    }
  };
  const onEnd = (): void =>
    done(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size), true);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', () => {}); // a client that goes away mid-body is not the server's problem
}
