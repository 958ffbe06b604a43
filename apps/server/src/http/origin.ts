/** Allowed browser origins: an explicit list, or (null) the server's own origin. */
export type OriginPolicy = ReadonlySet<string> | null;

/**
 * Cross-site WebSocket hijacking and CSRF defense: a browser always sends Origin, so a request whose Origin
 * is neither listed nor the server's own comes from another site's page. Non-browser clients send none.
 */
export function originAllowed(policy: OriginPolicy, origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (policy) return policy.has(origin);
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
