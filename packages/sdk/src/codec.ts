import type { Message } from '@salon/protocol';

/**
 * What the application learns about a message's content. `ok`: readable (a plaintext room, or decrypted and
 * verified); `undecryptable`: this device has no key for it; `unverified`: it failed an authenticity check
 * (its text is withheld); `gap`: it verifies but an earlier one is missing or reordered; `deleted`: removed by
 * its sender or a moderator (only its seq remains). The middle three come with end-to-end encryption.
 */
export type MessageStatus = 'ok' | 'undecryptable' | 'unverified' | 'gap' | 'deleted';

/** A message as the application sees it: the wire fields plus its readable text and status. */
export interface ReceivedMessage extends Message {
  /** Present only with `ok` and `gap`. */
  text?: string;
  status: MessageStatus;
}

/** What a room codec produces for the wire: `body` in a plaintext room, `ciphertext` in an encrypted one. */
export type EncodedPayload =
  | { body: string; ciphertext?: undefined; franking?: undefined }
  | {
      ciphertext: string;
      body?: undefined /** The franking commitment (encrypted rooms, SPEC E2E-17). */;
      franking?: string;
    };

/**
 * The hook where end-to-end encryption plugs in: turns outgoing text into the wire payload and incoming
 * messages into text plus a status. Calls for one room come in seq order (decode) and send order (encode).
 */
export interface RoomCodec {
  /** The payload to send for `text` in the room. */
  encode(roomId: string, text: string): Promise<EncodedPayload>;
  /** The text and status of a message received live or read from history. */
  decode(message: Message): Promise<Pick<ReceivedMessage, 'text' | 'status'>>;
  /**
   * A send was refused with `code` (e.g. `stale_epoch`, `commit_required`): bring the room's state up to date so
   * that encoding the text again can succeed. True means "encode and send again" (with the same clientMsgId).
   * `refused` is the payload the server refused, so an encrypting codec can take it back.
   */
  recover?(roomId: string, code: string, refused?: EncodedPayload): Promise<boolean>;
}

/** The codec of plaintext rooms: the body is the text. Encrypted messages are reported as undecryptable. */
export const plainCodec: RoomCodec = {
  async encode(_roomId, text) {
    return { body: text };
  },
  async decode(message) {
    if (message.deletedAt) return { status: 'deleted' };
    if (message.body !== undefined) return { text: message.body, status: 'ok' };
    return { status: 'undecryptable' };
  },
};

/** Runs a message through a codec; a codec that throws yields `undecryptable` rather than losing the message. */
export async function decodeWith(codec: RoomCodec, message: Message): Promise<ReceivedMessage> {
  let result: Pick<ReceivedMessage, 'text' | 'status'>;
  try {
    result = await codec.decode(message);
  } catch {
    result = { status: 'undecryptable' };
  }
  const received: ReceivedMessage = { ...message, status: result.status };
  if (result.text !== undefined) received.text = result.text;
  return received;
}
