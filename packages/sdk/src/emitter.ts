// biome-ignore lint/suspicious/noExplicitAny: listener signatures vary per event; each map entry is checked.
type Listener = (...args: any[]) => void;

/** A minimal typed event emitter: `on` returns the function that removes the listener. */
export class Emitter<Events extends Record<keyof Events, Listener>> {
  private readonly listeners = new Map<keyof Events, Set<Listener>>();

  /** Calls `listener` on every `event` until the returned function is called. */
  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  /** Calls `listener` on the next `event` only. */
  once<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    const off = this.on(event, ((...args: Parameters<Events[K]>) => {
      off();
      listener(...args);
    }) as Events[K]);
    return off;
  }

  /** Removes a listener added with `on`. */
  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    this.listeners.get(event)?.delete(listener);
  }

  protected emit<K extends keyof Events>(event: K, ...args: Parameters<Events[K]>): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (err) {
        // A listener's bug must not leave the connection half-updated; it still surfaces as an uncaught error.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
