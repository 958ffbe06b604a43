/**
 * Coalesces point lookups into few queries. A lookup alone waits for nothing but the end of the current turn of
 * the event loop; lookups made while a query is in flight wait for it and then go together in the next one. Under
 * a burst (a reconnect storm: thousands of sockets authenticating and subscribing, one per turn as their packets
 * arrive) the batches grow with the database's latency, so N round trips become a few, instead of N queries
 * queueing for a single-threaded embedded database. With `lingerMs`, a busy coalescer (lookups arriving less than
 * BUSY_GAP_MS apart) also lets a batch wait until its oldest lookup has waited that long: with a fast database the
 * batches would otherwise stay at two or three lookups, each a query.
 */
/** A coalescer is busy when its last BUSY_AFTER lookups came less than BUSY_GAP_MS apart on average. */
const BUSY_AFTER = 8;
const BUSY_GAP_MS = 5;

export class Coalescer<K, V> {
  private pending = new Map<
    string,
    { key: K; at: number; waiters: Array<{ resolve(v: V | undefined): void; reject(e: unknown): void }> }
  >();
  /** When the last BUSY_AFTER lookups arrived (a ring). */
  private readonly arrivals = new Float64Array(BUSY_AFTER);
  private arrival = 0;
  private scheduled = false;
  private inFlight = 0;

  constructor(
    /** Reads every key at once; returns the found values by `id(key)`. */
    private readonly load: (keys: K[]) => Promise<Map<string, V>>,
    private readonly id: (key: K) => string,
    /** Largest batch sent as one query. */
    private readonly maxBatch = 500,
    /** Queries in flight at once; the next batch waits for one to finish. */
    private readonly maxInFlight = 1,
    /** On a busy coalescer, how long a batch may wait for company (0: never). */
    private readonly lingerMs = 0,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const k = this.id(key);
      const at = performance.now();
      this.arrivals[this.arrival] = at;
      this.arrival = (this.arrival + 1) % BUSY_AFTER;
      const entry = this.pending.get(k);
      if (entry) entry.waiters.push({ resolve, reject });
      else this.pending.set(k, { key, at, waiters: [{ resolve, reject }] });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.pending.size === 0 || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    const now = performance.now();
    const busy = this.lingerMs > 0 && now - this.arrivals[this.arrival]! < BUSY_AFTER * BUSY_GAP_MS;
    const oldest = this.pending.values().next().value!.at;
    const wait = busy ? this.lingerMs - (now - oldest) : 0;
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
