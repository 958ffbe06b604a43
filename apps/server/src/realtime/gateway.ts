import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, MAX_FRAME_BYTES } from '@salon/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { WebSocketServer } from 'ws';
import { accessSession } from '../domain/accounts.js';
import type { DomainContext } from '../domain/context.js';
import { AppError } from '../domain/errors.js';
import { readSessionToken } from '../http/auth.js';
import { type OriginPolicy, originAllowed } from '../http/origin.js';
import { isDatabaseDown, redactDbError } from '../store/health.js';
import { Connection } from './connection.js';
import { dispatchFrame } from './dispatch.js';
import { Heartbeat } from './heartbeat.js';
import type { Registry } from './registry.js';

export interface GatewayOptions {
  origins: OriginPolicy;
  /** Take the client address from X-Forwarded-For (behind a trusted reverse proxy). */
  trustProxy: boolean;
  heartbeatMs: number;
  maxBufferedBytes: number;
}

export interface Gateway {
  /**
   * Shutdown, first half: refuses new upgrades and frames, and waits (at most `graceMs`) for the frames being
   * handled, so every send that is committed is also acked.
   */
  drain(graceMs: number): Promise<void>;
  /** Shutdown, second half: closes every socket with 1012 ("reconnect elsewhere") and stops the server side. */
  close(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};

/** Serves `/ws`: authenticates the upgrade, then hands each frame to its handler. */
export function attachGateway(
  server: Server,
  deps: { domain: DomainContext; registry: Registry; log: FastifyBaseLogger; options: GatewayOptions },
): Gateway {
  const { domain, registry, log, options } = deps;
  // perMessageDeflate stays off: compressing every fanned-out frame per socket costs more CPU than it saves.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const inFlight = new Set<Promise<void>>();
  let draining = false;
  const heartbeat = new Heartbeat(options.heartbeatMs);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void authenticateUpgrade(req).then(
      (actor) => wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, actor)),
      (err: unknown) => rejectUpgrade(socket, err),
    );
  });

  function onConnection(ws: import('ws').WebSocket, actor: Awaited<ReturnType<typeof accessSession>>) {
    const conn = new Connection(ws, actor, options.maxBufferedBytes);
    registry.addConnection(conn).catch((err: unknown) => log.warn({ err }, 'user topic subscribe failed'));
    heartbeat.add(conn);
    const ctx = { domain, registry, conn };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (draining) {
        conn.error(undefined, 'unavailable', 'server restarting; reconnect and resend');
        return;
      }
      const work = dispatchFrame(ctx, data, isBinary, log);
      if (!work) return;
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    });
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('error', (err) => log.debug({ err }, 'socket error'));
    ws.on('close', () => {
      conn.closed = true;
      registry.removeConnection(conn);
      heartbeat.remove(conn);
    });
  }

  async function authenticateUpgrade(req: IncomingMessage) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') throw new AppError('not_found', 'no such endpoint');
    if (draining) throw new AppError('unavailable', 'server restarting');
    if (!originAllowed(options.origins, req.headers.origin, req.headers.host)) {
      throw new AppError('forbidden', 'origin not allowed');
    }
    const forwarded = options.trustProxy
      ? String(req.headers['x-forwarded-for'] ?? '')
          .split(',')[0]
          ?.trim()
      : '';
    const ip = forwarded || req.socket.remoteAddress;
    return accessSession(domain, url.searchParams.get('token') ?? readSessionToken(req.headers), ip);
  }

  function rejectUpgrade(socket: Duplex, err: unknown) {
    let status = 500;
    if (err instanceof AppError) {
      status =
        (
          {
            unauthenticated: 401,
            forbidden: 403,
            totp_enrollment_required: 403,
            not_found: 404,
            unavailable: 503,
          } as Record<string, number>
        )[err.code] ?? 400;
    } else if (isDatabaseDown(err)) status = 503;
    else log.error({ err: redactDbError(err) }, 'upgrade failed');
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  }

  return {
    async drain(graceMs) {
      draining = true;
      const deadline = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([Promise.allSettled([...inFlight]), deadline]);
    },
    async close() {
      draining = true;
      heartbeat.stop();
      for (const conn of registry.allConnections())
        conn.close(CLOSE_CODES.serviceRestart, 'server restarting: reconnect');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
