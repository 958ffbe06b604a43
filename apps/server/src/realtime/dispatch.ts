import {
  CLIENT_FRAME_SCHEMAS,
  type ClientFrameType,
  type ErrorCode,
  type FrameId,
  FrameIdSchema,
  MAX_FRAME_BYTES,
} from '@salon/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../domain/errors.js';
import { describeZodError } from '../http/validate.js';
import { isDatabaseDown } from '../store/health.js';
import type { HandlerContext } from './handlers/context.js';
import { handlePing } from './handlers/ping.js';
import { handleSend } from './handlers/send.js';
import { handleSubscribe } from './handlers/subscribe.js';
import { handleTyping } from './handlers/typing.js';
import { handleUnsubscribe } from './handlers/unsubscribe.js';

// biome-ignore lint/suspicious/noExplicitAny: each handler takes its own frame type, checked by its schema.
const HANDLERS: Record<ClientFrameType, (ctx: HandlerContext, frame: any) => Promise<void>> = {
  subscribe: handleSubscribe,
  unsubscribe: handleUnsubscribe,
  send: handleSend,
  typing: handleTyping,
  ping: handlePing,
};

/** Parses, validates and runs one client frame; every refusal becomes an `error` frame, never a close. */
export function dispatchFrame(ctx: HandlerContext, data: Buffer, isBinary: boolean, log: FastifyBaseLogger): void {
  const { conn } = ctx;
  if (isBinary) return conn.error(undefined, 'invalid_request', 'binary frames are not supported; send JSON text');
  if (data.length > MAX_FRAME_BYTES) return conn.close(1009, 'frame too large');
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch {
    return conn.error(undefined, 'invalid_request', 'frame is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return conn.error(undefined, 'invalid_request', 'frame must be a JSON object');
  }
  const record = raw as Record<string, unknown>;
  const idResult = FrameIdSchema.safeParse(record.id);
  const id: FrameId | undefined = idResult.success ? idResult.data : undefined;
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(HANDLERS, type)) {
    return conn.error(id, 'invalid_request', `unknown frame type; expected one of ${Object.keys(HANDLERS).join(', ')}`);
  }
  const parsed = CLIENT_FRAME_SCHEMAS[type as ClientFrameType].safeParse(raw);
  if (!parsed.success) return conn.error(id, 'invalid_request', describeZodError(parsed.error));
  const frame = parsed.data;
  const run = () =>
    HANDLERS[frame.type](ctx, frame).catch((err: unknown) => {
      const { code, message } = toWireError(err, log);
      conn.error(id, code, message);
    });
  if (frame.type !== 'send') {
    void run();
    return;
  }
  // One client's sends to one room are stored in the order it sent them.
  const chain = (conn.sendChains.get(frame.roomId) ?? Promise.resolve()).then(run);
  conn.sendChains.set(frame.roomId, chain);
  void chain.then(() => {
    if (conn.sendChains.get(frame.roomId) === chain) conn.sendChains.delete(frame.roomId);
  });
}

/** Maps a thrown error to what the client may see: refusals as they are, the rest without details. */
export function toWireError(err: unknown, log: FastifyBaseLogger): { code: ErrorCode; message: string } {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  if (isDatabaseDown(err)) {
    log.warn({ err }, 'database unavailable');
    return { code: 'unavailable', message: 'storage is unavailable; retry shortly' };
  }
  log.error({ err }, 'unexpected error');
  return { code: 'internal', message: 'internal error' };
}
