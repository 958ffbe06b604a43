/**
 * The server URLs a client may use, and the one in use. REST and WebSocket share it, so once one of them
 * finds a node dead, the other goes straight to the next one too.
 */
export class ServerList {
  private readonly urls: readonly string[];
  private index = 0;

  constructor(urls: string | readonly string[]) {
    const list = (typeof urls === 'string' ? urls.split(',') : urls).map(normalizeServerUrl).filter(Boolean);
    if (list.length === 0) throw new Error('at least one server URL is needed');
    this.urls = list;
  }

  /** The URL in use, e.g. `http://127.0.0.1:8080`. */
  get current(): string {
    return this.urls[this.index]!;
  }

  /** How many URLs there are. */
  get size(): number {
    return this.urls.length;
  }

  /** Moves to the next URL, round-robin, and returns it. */
  advance(): string {
    this.index = (this.index + 1) % this.urls.length;
    return this.current;
  }
}

/** `http://host:port/` -> `http://host:port`; a bare `host:port` gets `http://`. */
export function normalizeServerUrl(raw: string): string {
  const trimmed = raw.trim().replace(/\/+$/, '');
  if (!trimmed) return '';
  return /^[a-z]+:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/** The WebSocket endpoint of a server: `http` becomes `ws`, `https` becomes `wss`, with the session token. */
export function webSocketUrl(server: string, token: string): string {
  const base = server.replace(/^http(s?):\/\//i, 'ws$1://');
  return `${base}/ws?token=${encodeURIComponent(token)}`;
}
