import { SalonError } from './errors.js';
import type { ServerList } from './servers.js';

export interface RestOptions {
  servers: ServerList;
  /** The session token to send as `Authorization: Bearer`, if any. */
  token: () => string | undefined;
  /** Give up on a request after this long (ms). */
  timeoutMs: number;
}

export type Query = Record<string, string | number | undefined>;

/** Network errors that prove the request never reached a server, so trying the next one cannot double it. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** JSON over HTTP with the contract's error shape; fails over to the next server when one cannot be reached. */
export class RestTransport {
  constructor(private readonly options: RestOptions) {}

  /** Sends one request and returns the parsed answer (undefined for 204); refusals throw `SalonError`. */
  async request<T>(method: string, path: string, opts: { body?: unknown; query?: Query } = {}): Promise<T> {
    const { servers } = this.options;
    for (let tried = 1; ; tried++) {
      try {
        return await this.attempt<T>(servers.current, method, path, opts);
      } catch (err) {
        // A refusal is the answer; only a failed network round trip is worth another server.
        const network = !(err instanceof SalonError);
        const retry = network && tried < servers.size && (method === 'GET' || NOT_SENT.has(networkCode(err) ?? ''));
        if (!retry) throw toSalonError(err, servers.current);
        servers.advance();
      }
    }
  }

  private async attempt<T>(base: string, method: string, path: string, opts: { body?: unknown; query?: Query }) {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.options.token();
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(base + path + queryString(opts.query), {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    return readAnswer<T>(res);
  }
}

async function readAnswer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.ok) {
    if (text && json === undefined) throw new SalonError('invalid_response', 'the server answered non-JSON');
    return json as T;
  }
  const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string') {
    throw new SalonError(error.code as SalonError['code'], String(error.message ?? error.code), res.status);
  }
  // Not the contract's error shape: a proxy or load balancer answered.
  const code = res.status >= 500 ? 'unavailable' : 'invalid_response';
  throw new SalonError(code, `HTTP ${res.status} ${res.statusText}`.trim(), res.status);
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function networkCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function toSalonError(err: unknown, server: string): SalonError {
  if (err instanceof SalonError) return err;
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new SalonError('unreachable', `no answer from ${server} in time`);
  }
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  const detail = networkCode(err) ?? (cause instanceof Error ? cause.message : String(err));
  return new SalonError('unreachable', `cannot reach ${server} (${detail})`);
}
