const PREFIX = '#invite=';

/** The token of an invite link's fragment (`#invite=<token>`), or null for any other fragment. */
export function parseInviteHash(hash: string): string | null {
  if (!hash.startsWith(PREFIX)) return null;
  let token: string;
  try {
    token = decodeURIComponent(hash.slice(PREFIX.length)).trim();
  } catch {
    return null;
  }
  return token === '' ? null : token;
}

/**
 * The address to share. The token lives in the fragment, which browsers never send to the server: it stays out
 * of access logs and Referer headers, and the app redeems it with an authenticated POST.
 */
export function inviteUrl(origin: string, token: string): string {
  return `${origin}/${PREFIX}${encodeURIComponent(token)}`;
}
