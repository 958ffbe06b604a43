import {
  type EventFrame,
  type FrameId,
  type Message,
  MessageSchema,
  type TypingNoticeFrame,
  UserSchema,
} from '@salon/protocol';

/** A server frame the client understood, checked field by field. */
export type IncomingFrame =
  | { type: 'message'; message: Message }
  | { type: 'ack'; id: FrameId; result: Record<string, unknown> }
  | { type: 'error'; id?: FrameId; code: string; message: string; roomId?: string }
  | { type: 'event'; event: EventFrame }
  | { type: 'typing'; notice: TypingNoticeFrame }
  | { type: 'pong'; id: FrameId };

type Raw = Record<string, unknown>;

const isId = (v: unknown): v is FrameId => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));

/**
 * Reads one server frame leniently: anything that is not JSON, has an unknown type or lacks a field the client
 * needs gives null (the caller skips it), so a newer server or a corrupted frame never breaks the connection.
 */
export function parseServerFrame(data: unknown, isBinary: boolean): IncomingFrame | null {
  if (isBinary) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(String(data));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  return readFrame(raw as Raw);
}

function readFrame(raw: Raw): IncomingFrame | null {
  switch (raw.type) {
    case 'message':
      return readMessage(raw);
    case 'ack':
      return isId(raw.id) ? { type: 'ack', id: raw.id, result: raw } : null;
    case 'error':
      return readError(raw);
    case 'event':
      // Events about the user rather than a room (e.g. an invitation received) come without roomId.
      return typeof raw.kind === 'string' && (raw.roomId === undefined || typeof raw.roomId === 'string')
        ? { type: 'event', event: raw as EventFrame }
        : null;
    case 'typing':
      return typeof raw.roomId === 'string' && UserSchema.safeParse(raw.user).success
        ? { type: 'typing', notice: raw as unknown as TypingNoticeFrame }
        : null;
    case 'pong':
      return isId(raw.id) ? { type: 'pong', id: raw.id } : null;
    default:
      return null;
  }
}

function readMessage(raw: Raw): IncomingFrame | null {
  if (!MessageSchema.safeParse(raw).success) return null;
  // The raw object, not zod's output: fields a newer server adds reach the application instead of being stripped.
  const { type: _type, ...message } = raw;
  return { type: 'message', message: message as Message };
}

function readError(raw: Raw): IncomingFrame | null {
  if (typeof raw.code !== 'string') return null;
  const frame: IncomingFrame = { type: 'error', code: raw.code, message: String(raw.message ?? raw.code) };
  if (isId(raw.id)) frame.id = raw.id;
  if (typeof raw.roomId === 'string') frame.roomId = raw.roomId;
  return frame;
}
