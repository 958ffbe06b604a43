import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of a server, to break connections the way networks do: `cut()` resets every relayed
 * connection; `freeze()` keeps them open but silently drops their bytes (a half-dead link that only a
 * heartbeat notices). New connections always pass.
 */
export interface Relay {
  url: string;
  cut(): void;
  freeze(): void;
  close(): Promise<void>;
}

/** Starts a relay to `target` (an http URL) on a free loopback port. */
export async function startRelay(target: string): Promise<Relay> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    const pair = { client, upstream, frozen: false };
    pairs.add(pair);
    client.on('data', (d) => pair.frozen || upstream.write(d));
    upstream.on('data', (d) => pair.frozen || client.write(d));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut() {
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.upstream.destroy();
      }
    },
    freeze() {
      for (const pair of pairs) pair.frozen = true;
    },
    close() {
      for (const pair of [...pairs]) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
