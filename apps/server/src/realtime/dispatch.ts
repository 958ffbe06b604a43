import {
  CLIENT_FRAME_SCHEMAS,
  type ClientFrame,
  type ClientFrameType,
  type ErrorCode,
  type FrameId,
  FrameIdSchema,
  MAX_FRAME_BYTES,
} from '@salon/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../domain/errors.js';
import { describeZodError } from '../http/validate.js';
import { isDatabaseDown, isUnstorableText, redactDbError } from '../store/health.js';
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

type Parsed = { ok: true; frame: ClientFrame } | { ok: false; id?: FrameId; message: string };

/** Turns raw bytes into a validated frame, or says why not (with the request id when one could be read). */
function parseFrame(data: Buffer, isBinary: boolean): Parsed {
  if (isBinary) return { ok: false, message: 'binary frames are not supported; send JSON text' };
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString('utf8'));
  } catch {
    return { ok: false, message: 'frame is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, message: 'frame must be a JSON object' };
  }
  const record = raw as Record<string, unknown>;
  const idResult = FrameIdSchema.safeParse(record.id);
  const id = idResult.success ? idResult.data : undefined;
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(HANDLERS, type)) {
    return { ok: false, id, message: `unknown frame type; expected one of ${Object.keys(HANDLERS).join(', ')}` };
  }
  const parsed = CLIENT_FRAME_SCHEMAS[type as ClientFrameType].safeParse(raw);
  if (!parsed.success) return { ok: false, id, message: describeZodError(parsed.error) };
  return { ok: true, frame: parsed.data as ClientFrame };
}

/**
 * Parses, validates and runs one client frame; every refusal becomes an `error` frame, never a close.
 * Returns the handler's completion, so shutdown can wait for in-flight work.
 */
export function dispatchFrame(
  ctx: HandlerContext,
  data: Buffer,
  isBinary: boolean,
  log: FastifyBaseLogger,
): Promise<void> | undefined {
  const { conn } = ctx;
  if (data.length > MAX_FRAME_BYTES) {
    conn.close(1009, 'frame too large');
    return;
  }
  const parsed = parseFrame(data, isBinary);
  if (!parsed.ok) {
    conn.error(parsed.id, 'invalid_request', parsed.message);
    return;
  }
  const { frame } = parsed;
  const id = 'id' in frame ? frame.id : undefined;
  const run = () =>
    HANDLERS[frame.type](ctx, frame).catch((err: unknown) => {
      const { code, message, details } = toWireError(err, log);
      conn.error(id, code, message, details);
    });
  if (frame.type !== 'send') return run();
  // One client's sends to one room are stored in the order they were sent.
  const chain = (conn.sendChains.get(frame.roomId) ?? Promise.resolve()).then(run);
  conn.sendChains.set(frame.roomId, chain);
  return chain.then(() => {
    if (conn.sendChains.get(frame.roomId) === chain) conn.sendChains.delete(frame.roomId);
  });
}

/** Maps a thrown error to what the client may see: refusals as they are, the rest without details. */
export function toWireError(
  err: unknown,
  log: FastifyBaseLogger,
): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
  if (err instanceof AppError) return { code: err.code, message: err.message, details: err.details };
  // Text PostgreSQL cannot store (a NUL character, for one) is the client's input at fault, not the server.
  if (isUnstorableText(err))
    return { code: 'invalid_request', message: 'text contains characters that cannot be stored' };
  if (isDatabaseDown(err)) {
    log.warn({ err: redactDbError(err) }, 'database unavailable');
    return { code: 'unavailable', message: 'storage is unavailable; retry shortly' };
  }
  log.error(
    { err: redactDbError(err), stack: (err as Error)?.stack?.split('\n').slice(0, 6).join('\n') },
    'unexpected error',
  );
  return { code: 'internal', message: 'internal error' };
}
