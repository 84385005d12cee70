import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP forwarder in front of a real server (PostgreSQL): `cut()` closes every connection and refuses new ones
 * (the database is "down" for whoever connects through it), `restore()` forwards again. `delayMs` delays every
 * chunk each way (a slow network: a commit then takes at least twice that).
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(
  target: { host: string; port: number },
  options: { delayMs?: number } = {},
): Promise<TcpProxy> {
  const forward = (from: Socket, to: Socket) => {
    if (!options.delayMs) {
      from.pipe(to);
      return;
    }
    // Equal delays keep the chunks in order.
    from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), options.delayMs));
    from.on('end', () => setTimeout(() => to.end(), options.delayMs));
  };
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    cut() {
      down = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
