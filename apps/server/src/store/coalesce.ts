/**
 * Coalesces point lookups into few queries. A lookup alone waits for nothing but the end of the current turn of
 * the event loop; lookups made while a query is in flight wait for it and then go together in the next one. Under
 * a burst (a reconnect storm: thousands of sockets authenticating and subscribing, one per turn as their packets
 * arrive) the batches grow with the database's latency, so N round trips become a few, instead of N queries
 * queueing for a single-threaded embedded database.
 */
export class Coalescer<K, V> {
  private pending = new Map<
    string,
    { key: K; waiters: Array<{ resolve(v: V | undefined): void; reject(e: unknown): void }> }
  >();
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
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const k = this.id(key);
      const entry = this.pending.get(k);
      if (entry) entry.waiters.push({ resolve, reject });
      else this.pending.set(k, { key, waiters: [{ resolve, reject }] });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.pending.size === 0 || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch: Array<{
      key: K;
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
