/**
 * Coalesces point lookups made in the same turn of the event loop into one query. Under a burst (a reconnect
 * storm: thousands of sockets authenticating and subscribing at once) this turns N round trips into a few;
 * alone, a lookup waits for nothing but the current turn to end.
 */
export class Coalescer<K, V> {
  private pending = new Map<
    string,
    { key: K; waiters: Array<{ resolve(v: V | undefined): void; reject(e: unknown): void }> }
  >();
  private scheduled = false;

  constructor(
    /** Reads every key at once; returns the found values by `id(key)`. */
    private readonly load: (keys: K[]) => Promise<Map<string, V>>,
    private readonly id: (key: K) => string,
    /** Largest batch sent as one query. */
    private readonly maxBatch = 500,
  ) {}

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const k = this.id(key);
      const entry = this.pending.get(k);
      if (entry) entry.waiters.push({ resolve, reject });
      else this.pending.set(k, { key, waiters: [{ resolve, reject }] });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const entries = [...this.pending.values()];
    this.pending = new Map();
    for (let i = 0; i < entries.length; i += this.maxBatch) {
      const batch = entries.slice(i, i + this.maxBatch);
      this.load(batch.map((e) => e.key)).then(
        (found) => {
          for (const e of batch) for (const w of e.waiters) w.resolve(found.get(this.id(e.key)));
        },
        (err: unknown) => {
          for (const e of batch) for (const w of e.waiters) w.reject(err);
        },
      );
    }
  }
}
