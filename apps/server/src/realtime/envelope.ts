/**
 * What travels on the broker: a small JSON header, a newline, then the frame exactly as clients receive it.
 * The frame is serialized once by the publisher and never re-encoded, so each process only parses the header.
 */
export interface EnvelopeHeader {
  /** m: stored message (with seq), e: room event, t: typing notice, r: session revoked, u: user event. */
  k: 'm' | 'e' | 't' | 'r' | 'u';
  /** The message's seq (k = m). */
  s?: number;
  /** When the message expires, epoch ms (k = m; absent: it does not). */
  x?: number;
  /** The user the event is about: whose subscriptions end (k = e; '*' for all), who typed (k = t). */
  u?: string;
  /** The revoked session (k = r). */
  sid?: string;
}

export function encodeEnvelope(header: EnvelopeHeader, frame: string): string {
  return `${JSON.stringify(header)}\n${frame}`;
}

export function decodeEnvelope(payload: string): { header: EnvelopeHeader; frame: string } | null {
  const cut = payload.indexOf('\n');
  if (cut < 0) return null;
  try {
    return { header: JSON.parse(payload.slice(0, cut)) as EnvelopeHeader, frame: payload.slice(cut + 1) };
  } catch {
    return null;
  }
}

export const roomTopic = (roomId: string) => `room:${roomId}`;
export const userTopic = (userId: string) => `user:${userId}`;
