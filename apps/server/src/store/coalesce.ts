/**
 * Tells a steady stream of arrivals from occasional ones, and how long a batch should wait for company: under a
 * steady stream (the last `window` arrivals came less than `busyGapMs` apart on average) a batch waits until its
 * oldest member has waited `lingerMs`, counting the time it already waited behind the batch in flight. Shared by
 * the lookups' coalescer and the send queue (group commit).
 */
export class Linger {
  /** When the last `window` arrivals came (a ring). */
  private readonly arrivals: Float64Array;
  private next = 0;

  constructor(
    private readonly lingerMs: number,
    private readonly busyGapMs: number,
    private readonly window = 8,
  ) {
    this.arrivals = new Float64Array(window);
  }

  /** Notes an arrival; returns its time (`performance.now()`). */
  arrived(): number {
    const at = performance.now();
    this.arrivals[this.next] = at;
    this.next = (this.next + 1) % this.window;
    return at;
  }

  /** How long a batch whose oldest member arrived at `oldest` should still wait: 0 to go now. */
  delay(oldest: number): number {
    if (this.lingerMs <= 0) return 0;
    const now = performance.now();
    const busy = now - this.arrivals[this.next]! < this.window * this.busyGapMs;
    return busy ? Math.max(0, this.lingerMs - (now - oldest)) : 0;
  }
}

/** Lookups are a steady stream when they come less than this apart on average. */
const LOOKUP_BUSY_GAP_MS = 5;
/** How long the session and room-access lookups may wait for others when sockets authenticate steadily (storms). */
export const LOOKUP_LINGER_MS = 3;

/**
 * Coalesces point lookups into few queries. A lookup alone waits for nothing but the end of the current turn of
 * the event loop; lookups made while a query is in flight wait for it and then go together in the next one. Under
 * a burst (a reconnect storm: thousands of sockets authenticating and subscribing, one per turn as their packets
 * arrive) the batches grow with the database's latency, so N round trips become a few, instead of N queries
 * queueing for a single-threaded embedded database. With `lingerMs`, a busy coalescer also lets a batch wait until
 * its oldest lookup has waited that long (`Linger`): with a fast database the batches would otherwise stay at two
 * or three lookups, each a query.
 */
export class Coalescer<K, V> {
  private pending = new Map<
    string,
    { key: K; at: number; waiters: Array<{ resolve(v: V | undefined): void; reject(e: unknown): void }> }
  >();
  private readonly linger: Linger;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private scheduled = false;
  private inFlight = 0;

  constructor(
    /** Reads every key at once; returns the found values by `id(key)`. */
    private readonly load: (keys: K[]) => Promise<Map<string, V>>,
    private readonly id: (key: K) => string,
    options: {
      /** Largest batch sent as one query (default 500). */
      maxBatch?: number;
      /** Queries in flight at once; the next batch waits for one to finish (default 1). */
      maxInFlight?: number;
      /** On a busy coalescer, how long a batch may wait for company (default 0: never). */
      lingerMs?: number;
    } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? 1;
    this.linger = new Linger(options.lingerMs ?? 0, LOOKUP_BUSY_GAP_MS);
  }

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const k = this.id(key);
      const at = this.linger.arrived();
      const entry = this.pending.get(k);
      if (entry) entry.waiters.push({ resolve, reject });
      else this.pending.set(k, { key, at, waiters: [{ resolve, reject }] });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.pending.size === 0 || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    const wait = this.linger.delay(this.pending.values().next().value!.at);
    if (wait > 0) setTimeout(() => this.flush(), wait);
    else setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch: Array<{
      key: K;
      at: number;
      waiters: Array<{ resolve(v: V | undefined): void; reject(e: unknown): void }>;
    }> = [];
    for (const [k, entry] of this.pending) {
      this.pending.delete(k);
      batch.push(entry);
      if (batch.length === this.maxBatch) break;
    }
    if (batch.length === 0) return;
    this.inFlight++;
    this.load(batch.map((e) => e.key))
      .then(
        (found) => {
          for (const e of batch) for (const w of e.waiters) w.resolve(found.get(this.id(e.key)));
        },
        (err: unknown) => {
          for (const e of batch) for (const w of e.waiters) w.reject(err);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.schedule();
      });
    this.schedule();
  }
}
