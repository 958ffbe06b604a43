import { ApiError, NETWORK_ERROR } from './ApiError';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Calls the REST API with the session cookie and returns the parsed JSON answer (undefined for 204). */
export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(NETWORK_ERROR, err instanceof Error ? err.message : String(err));
  }
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Reads `{error: {code, message}}`; a body of another shape (e.g. from a proxy) still gives a usable error. */
async function toApiError(response: Response): Promise<ApiError> {
  try {
    const data = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = data.error ?? {};
    if (typeof code === 'string') {
      return new ApiError(code, typeof message === 'string' ? message : code, response.status);
    }
  } catch {
    // Not JSON: fall through to a generic error built from the status.
  }
  const code = response.status >= 500 ? 'unavailable' : 'invalid_request';
  return new ApiError(code, response.statusText || `HTTP ${response.status}`, response.status);
}
