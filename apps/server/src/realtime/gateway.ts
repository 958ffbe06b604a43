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
import { isDatabaseDown } from '../store/health.js';
import { Connection } from './connection.js';
import { dispatchFrame } from './dispatch.js';
import type { Registry } from './registry.js';

/** Dead peers (no pong within one interval) are dropped. */
export const HEARTBEAT_MS = 30_000;

export interface Gateway {
  /** Closes every socket with the given code (1012 on shutdown: "reconnect elsewhere"). */
  closeAll(code: number, reason: string): void;
  close(): Promise<void>;
}

/** Serves `/ws`: authenticates the upgrade, then hands each frame to its handler. */
export function attachGateway(
  server: Server,
  deps: { domain: DomainContext; registry: Registry; origins: OriginPolicy; log: FastifyBaseLogger },
): Gateway {
  const { domain, registry, log } = deps;
  // perMessageDeflate stays off: compressing every fanned-out frame per socket costs more CPU than it saves.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void authenticateUpgrade(req).then(
      (actor) => {
        wss.handleUpgrade(req, socket, head, (ws) => {
          const conn = new Connection(ws, actor);
          void registry.addConnection(conn).catch((err: unknown) => log.warn({ err }, 'user topic subscribe failed'));
          const ctx = { domain, registry, conn };
          ws.on('message', (data: Buffer, isBinary: boolean) => dispatchFrame(ctx, data, isBinary, log));
          ws.on('pong', () => {
            conn.alive = true;
          });
          ws.on('error', (err) => log.debug({ err }, 'socket error'));
          ws.on('close', () => {
            conn.closed = true;
            registry.removeConnection(conn);
          });
        });
      },
      (err: unknown) => rejectUpgrade(socket, err),
    );
  });

  async function authenticateUpgrade(req: IncomingMessage) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') throw new AppError('not_found', 'no such endpoint');
    if (!originAllowed(deps.origins, req.headers.origin, req.headers.host)) {
      throw new AppError('forbidden', 'origin not allowed');
    }
    return accessSession(domain, url.searchParams.get('token') ?? readSessionToken(req.headers));
  }

  function rejectUpgrade(socket: Duplex, err: unknown) {
    let status = 500;
    if (err instanceof AppError)
      status = { unauthenticated: 401, forbidden: 403, not_found: 404 }[err.code as string] ?? 400;
    else if (isDatabaseDown(err)) status = 503;
    else log.error({ err }, 'upgrade failed');
    const text = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status];
    socket.end(`HTTP/1.1 ${status} ${text ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  const heartbeat = setInterval(() => {
    for (const conn of registry.allConnections()) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    closeAll(code, reason) {
      for (const conn of registry.allConnections()) conn.close(code, reason);
    },
    async close() {
      clearInterval(heartbeat);
      for (const conn of registry.allConnections()) conn.close(CLOSE_CODES.serviceRestart, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
