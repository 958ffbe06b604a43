export interface HeartbeatOptions {
  /** How often to ping (ms). */
  intervalMs: number;
  /** How long a pong may take before the connection counts as dead (ms). */
  timeoutMs: number;
}

/** A ping every 20 s; a pong must come within 10 s. */
export const DEFAULT_HEARTBEAT: HeartbeatOptions = { intervalMs: 20_000, timeoutMs: 10_000 };

/**
 * Application-level pings. A socket whose peer vanished (a killed node, a NAT that forgot the flow) can look open
 * for minutes; a missing pong is how the client finds out and reconnects instead of waiting in silence.
 */
export class Heartbeat {
  private interval: ReturnType<typeof setInterval> | undefined;
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private counter = 0;

  constructor(private readonly options: HeartbeatOptions) {}

  /** Starts pinging through `ping`; calls `dead` once when a pong is late. */
  start(ping: (id: string) => void, dead: () => void): void {
    this.stop();
    this.interval = setInterval(() => {
      if (this.deadline) return;
      ping(`ping-${++this.counter}`);
      this.deadline = setTimeout(() => {
        this.stop();
        dead();
      }, this.options.timeoutMs);
      this.deadline.unref();
    }, this.options.intervalMs);
    // The socket keeps the process alive while it is open; the timer alone must not.
    this.interval.unref();
  }

  /** Records a pong. */
  pong(): void {
    clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  /** Stops pinging. */
  stop(): void {
    clearInterval(this.interval);
    this.pong();
    this.interval = undefined;
  }
}
