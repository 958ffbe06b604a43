import type { WebSocket } from 'ws';

/** What the heartbeat needs of a connection. */
export interface Beating {
  readonly ws: Pick<WebSocket, 'ping' | 'terminate'>;
  /** Set on each pong; a connection still not alive at its next ping is dropped. */
  alive: boolean;
  closed: boolean;
}

/** How often the heartbeat wakes: each time it pings the connections of one slice. */
const TICK_MS = 250;

/**
 * Pings every connection once per `intervalMs` and drops those that did not answer the previous ping (TCP alone
 * can take many minutes to notice a dead peer). The connections are dealt round-robin into slices, one pinged
 * per tick, so that the pings (and the pongs they bring back) are spread over the interval: pinging 10,000
 * sockets at once held the event loop for tens of milliseconds every interval, which every message in flight
 * waited for.
 */
export class Heartbeat {
  private readonly slots = new WeakMap<Beating, number>();
  private readonly slices: number;
  private dealt = 0;
  private ticks = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly connections: () => Iterable<Beating>,
    intervalMs: number,
  ) {
    this.slices = Math.max(1, Math.round(intervalMs / TICK_MS));
    this.timer = setInterval(() => this.tick(), intervalMs / this.slices);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const slice = this.ticks++ % this.slices;
    for (const conn of this.connections()) {
      let slot = this.slots.get(conn);
      if (slot === undefined) {
        slot = this.dealt++ % this.slices;
        this.slots.set(conn, slot);
      }
      if (slot !== slice || conn.closed) continue;
      if (!conn.alive) {
        conn.closed = true;
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }
}
