// biome-ignore lint/suspicious/noExplicitAny: handler signatures vary per event; each map entry types its own.
type HandlerMap = Record<string, (...args: any[]) => void>;

/** Minimal typed event emitter; `on` returns the function that removes the handler. */
export class Emitter<H extends HandlerMap> {
  private readonly handlers = new Map<keyof H, Set<H[keyof H]>>();

  on<K extends keyof H>(event: K, handler: H[K]): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  emit<K extends keyof H>(event: K, ...args: Parameters<H[K]>): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
}
