import { z } from 'zod';
import { IdSchema, MessageSchema, SeqSchema, type UserSchema } from './entities.js';
import type { ErrorCode } from './errors.js';
import { MAX_CIPHERTEXT_CHARS, MAX_MESSAGE_CHARS, MAX_TTL_SECONDS } from './limits.js';

/** Request id chosen by the client and echoed in the answer. */
export const FrameIdSchema = z.union([
  z.string().min(1).max(128),
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
]);
export type FrameId = z.infer<typeof FrameIdSchema>;

export const MessageBodySchema = z
  .string()
  .max(MAX_MESSAGE_CHARS, `at most ${MAX_MESSAGE_CHARS} characters`)
  .refine((s) => s.trim().length > 0, 'must not be empty');

export const ClientMsgIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/);

export const SubscribeFrameSchema = z.strictObject({
  type: z.literal('subscribe'),
  id: FrameIdSchema,
  roomId: IdSchema,
  since: SeqSchema.optional(),
});
export const UnsubscribeFrameSchema = z.strictObject({
  type: z.literal('unsubscribe'),
  id: FrameIdSchema,
  roomId: IdSchema,
});
export const SendFrameSchema = z
  .strictObject({
    type: z.literal('send'),
    id: FrameIdSchema,
    roomId: IdSchema,
    body: MessageBodySchema.optional(),
    ciphertext: z.string().min(1).max(MAX_CIPHERTEXT_CHARS).optional(),
    /** Encrypted rooms: the franking commitment (base64 HMAC-SHA256 of the text under a key inside the ciphertext). */
    franking: z
      .string()
      .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes of base64')
      .optional(),
    clientMsgId: ClientMsgIdSchema.optional(),
    ttlSeconds: z.number().int().min(1).max(MAX_TTL_SECONDS).optional(),
  })
  .refine((f) => (f.body === undefined) !== (f.ciphertext === undefined), {
    message: 'exactly one of body and ciphertext',
  })
  .refine((f) => f.franking === undefined || f.ciphertext !== undefined, {
    message: 'franking goes with ciphertext',
  });
export const TypingFrameSchema = z.strictObject({
  type: z.literal('typing'),
  roomId: IdSchema,
  id: FrameIdSchema.optional(),
});
export const PingFrameSchema = z.strictObject({
  type: z.literal('ping'),
  id: FrameIdSchema,
});

/** Every frame a client may send. */
export const ClientFrameSchema = z.union([
  SubscribeFrameSchema,
  UnsubscribeFrameSchema,
  SendFrameSchema,
  TypingFrameSchema,
  PingFrameSchema,
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;
export type SubscribeFrame = z.infer<typeof SubscribeFrameSchema>;
export type UnsubscribeFrame = z.infer<typeof UnsubscribeFrameSchema>;
export type SendFrame = z.infer<typeof SendFrameSchema>;
export type TypingFrame = z.infer<typeof TypingFrameSchema>;
export type PingFrame = z.infer<typeof PingFrameSchema>;
export const CLIENT_FRAME_TYPES = ['subscribe', 'unsubscribe', 'send', 'typing', 'ping'] as const;
export type ClientFrameType = (typeof CLIENT_FRAME_TYPES)[number];

/** Schema of one client frame type, to validate after the type is known (clearer errors than a union). */
export const CLIENT_FRAME_SCHEMAS = {
  subscribe: SubscribeFrameSchema,
  unsubscribe: UnsubscribeFrameSchema,
  send: SendFrameSchema,
  typing: TypingFrameSchema,
  ping: PingFrameSchema,
} as const;

export const MessageFrameSchema = MessageSchema.extend({ type: z.literal('message') });
export type MessageFrame = z.infer<typeof MessageFrameSchema>;

export const EventKindSchema = z.string();
export interface EventFrame {
  type: 'event';
  roomId: string;
  kind: string;
  [detail: string]: unknown;
}
export interface AckFrame {
  type: 'ack';
  id: FrameId;
  [result: string]: unknown;
}
export interface TypingNoticeFrame {
  type: 'typing';
  roomId: string;
  user: z.infer<typeof UserSchema>;
}
export interface ErrorFrame {
  type: 'error';
  id?: FrameId;
  code: ErrorCode;
  message: string;
  /** Set when the error ends a subscription without a request (e.g. a replay that failed). */
  roomId?: string;
  /** With `rate_limited`: how long to wait before trying again. */
  retryAfterMs?: number;
}
export interface PongFrame {
  type: 'pong';
  id: FrameId;
}
/** Every frame the server may send. */
export type ServerFrame = AckFrame | MessageFrame | EventFrame | TypingNoticeFrame | ErrorFrame | PongFrame;
