import { randomBytes } from 'node:crypto';

/**
 * A fresh clientMsgId: 128 random bits in hex. Random rather than a counter so that two processes of one user
 * (or a restarted one) never reuse an id, which the server would take for a resend and drop.
 */
export function newClientMsgId(): string {
  return randomBytes(16).toString('hex');
}
