import type { Request } from '@salon/sdk/e2ee';
import { SalonError } from '@salon/sdk/errors';

/**
 * The engine's REST transport inside the worker: `fetch` with the page's session cookie (same origin), refusals
 * thrown as the SDK's SalonError so the engine recognises `conflict`, `stale_epoch` and `commit_required`.
 */
export const fetchRequest: Request = async <T>(
  method: string,
  path: string,
  opts: { body?: unknown; query?: Record<string, string | number | undefined> } = {},
): Promise<T> => {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(opts.query ?? {})) if (value !== undefined) query.set(key, String(value));
  const url = query.size > 0 ? `${path}?${query}` : path;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      credentials: 'same-origin',
      headers: opts.body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch (err) {
    throw new SalonError('unreachable', err instanceof Error ? err.message : String(err));
  }
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => undefined)) as
    | { error?: { code?: string; message?: string } }
    | undefined;
  if (!response.ok) {
    const code = data?.error?.code ?? (response.status >= 500 ? 'unavailable' : 'invalid_request');
    throw new SalonError(
      code as SalonError['code'],
      data?.error?.message ?? `HTTP ${response.status}`,
      response.status,
    );
  }
  return data as T;
};
