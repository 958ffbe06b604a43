import { connect, createServer, type Socket } from 'node:net';

/** A TCP front for several Salon processes, as a failover load balancer would be. */
export interface TcpProxy {
  /** http://127.0.0.1:port: browsers use this address, so cookies and the Origin check refer to it. */
  url: string;
  /** How many connections each backend received so far, and how many are open now. */
  stats(): Array<{ backend: string; accepted: number; open: number }>;
  close(): Promise<void>;
}

/**
 * Listens on a free loopback port and hands each new connection to the first backend that accepts it, in the
 * order given: while A lives everything goes to A; once it is gone (refused), to B. Bytes pass unchanged (Host
 * included); when either side closes or fails, the other is closed too, so the clients of a killed backend see
 * their connections end at once and reconnect (through the proxy, to the next backend).
 */
export async function startTcpProxy(backendUrls: readonly string[]): Promise<TcpProxy> {
  const backends = backendUrls.map((url) => {
    const { hostname, port } = new URL(url);
    return { url, host: hostname, port: Number(port), accepted: 0, open: new Set<Socket>() };
  });
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const server = createServer((client) => {
    track(client);
    // Nothing is read from the client until a backend is connected: its first bytes wait in the socket.
    client.on('error', () => client.destroy());
    const tryBackend = (index: number) => {
      const backend = backends[index];
      if (!backend || client.destroyed) {
        client.destroy();
        return;
      }
      const upstream = connect({ host: backend.host, port: backend.port });
      track(upstream);
      let connected = false;
      upstream.on('error', () => {
        // Refused (the backend is gone): the next one. Once connected, the close below ends the client too.
        if (!connected) tryBackend(index + 1);
        upstream.destroy();
      });
      upstream.once('close', () => {
        if (!connected) return;
        backend.open.delete(upstream);
        // Whatever the backend wrote is flushed first, then the client sees the connection end.
        client.end();
      });
      upstream.once('connect', () => {
        connected = true;
        backend.accepted++;
        backend.open.add(upstream);
        client.once('close', () => upstream.destroy());
        if (client.destroyed) upstream.destroy();
        client.pipe(upstream);
        upstream.pipe(client);
      });
    };
    tryBackend(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => backends.map((b) => ({ backend: b.url, accepted: b.accepted, open: b.open.size })),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
