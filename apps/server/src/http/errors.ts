import { ERROR_STATUS, type ErrorCode } from '@salon/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';
import { toWireError } from '../realtime/dispatch.js';

/** Fastify's own refusals (body parsing, size, media type) mapped to the contract's codes. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
};

/** Every error leaves as `{error: {code, message}}` with the contract's status; no stack ever leaks. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const fastifyCode = err.code ? FASTIFY_CODES[err.code] : undefined;
    let code: ErrorCode;
    let message: string;
    let details: Record<string, unknown> | undefined;
    if (fastifyCode) {
      code = fastifyCode;
      message = fastifyCode === 'payload_too_large' ? 'request body too large' : err.message;
    } else if (err instanceof SyntaxError || err.statusCode === 400) {
      code = 'invalid_request';
      message = 'malformed request';
    } else {
      ({ code, message, details } = toWireError(err, request.log));
    }
    const retryAfterMs = details?.retryAfterMs;
    if (typeof retryAfterMs === 'number') reply.header('retry-after', Math.ceil(retryAfterMs / 1000));
    return reply.status(ERROR_STATUS[code]).send({ error: { ...details, code, message } });
  });
}
