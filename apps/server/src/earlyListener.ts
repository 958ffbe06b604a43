import { createServer, type Server, type Socket } from 'node:net';

/**
 * The server's port, listening from the first moments of the process: connections that arrive while the
 * process is still loading its code and opening its database are accepted and held (unread), then served once the
 * application is ready. Clients reconnecting after a restart then wait a second at most instead of being refused
 * and backing off for several (reconnect storms). Loaded before anything heavy, so it stays this small.
 */
export class EarlyListener {
  readonly server: Server;
  private readonly held = new Set<Socket>();
  /** Every open connection it accepted: the HTTP server they go to never listened, so it does not track them. */
  private readonly open = new Set<Socket>();
  private serve: ((socket: Socket) => void) | null = null;

  private constructor() {
    this.server = createServer({ pauseOnConnect: true }, (socket) => {
      this.open.add(socket);
      socket.once('close', () => {
        this.open.delete(socket);
        this.held.delete(socket);
      });
      if (this.serve) this.serve(socket);
      else this.held.add(socket);
    });
  }

  static listen(options: { host: string; port: number; backlog: number }): Promise<EarlyListener> {
    const early = new EarlyListener();
    return new Promise((resolve, reject) => {
      early.server.once('error', reject);
      early.server.listen(options, () => {
        early.server.off('error', reject);
        resolve(early);
      });
    });
  }

  /** The port it listens on (the one asked for, or the one the system chose for port 0). */
  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** From now on every connection, held ones first, goes to `serve` (which must resume it). */
  attach(serve: (socket: Socket) => void): void {
    this.serve = serve;
    const held = [...this.held];
    this.held.clear();
    for (const socket of held) if (!socket.destroyed) serve(socket);
  }

  /** Stops accepting (at once) and resolves once every connection it accepted is closed. */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.held) socket.destroy();
    this.held.clear();
    return closed;
  }

  /** Ends the connections still open (keep-alive HTTP ones, at shutdown once the application closed). */
  destroyConnections(): void {
    for (const socket of this.open) socket.destroy();
  }
}
