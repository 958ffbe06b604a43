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
 * can take many minutes to notice a dead peer). Connections are dealt round-robin into slices as they are added,
 * and each tick visits one slice, so that the pings (and the pongs they bring back) are spread over the interval:
 * pinging 10,000 sockets at once held the event loop for tens of milliseconds every interval, which every message
 * in flight waited for. A tick touches only its slice.
 */
export class Heartbeat {
  private readonly slices: Array<Set<Beating>>;
  private readonly slotOf = new WeakMap<Beating, number>();
  private dealt = 0;
  private ticks = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    const count = Math.max(1, Math.round(intervalMs / TICK_MS));
    this.slices = Array.from({ length: count }, () => new Set<Beating>());
    this.timer = setInterval(() => this.tick(), intervalMs / count);
    this.timer.unref();
  }

  add(conn: Beating): void {
    const slot = this.dealt++ % this.slices.length;
    this.slotOf.set(conn, slot);
    this.slices[slot]!.add(conn);
  }

  remove(conn: Beating): void {
    const slot = this.slotOf.get(conn);
    if (slot !== undefined) this.slices[slot]!.delete(conn);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const slice = this.slices[this.ticks++ % this.slices.length]!;
    for (const conn of slice) {
      if (conn.closed) {
        slice.delete(conn);
        continue;
      }
      if (!conn.alive) {
        conn.closed = true;
        conn.ws.terminate();
        slice.delete(conn);
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }
}
